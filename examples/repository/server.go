package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// Byline is a post of the feed with its author's name.
type Byline struct {
	Post   string `json:"post"`
	Author string `json:"author"`
}

// FeedHandler serves GET /feed?page=N: the posts of page N with their
// authors, as JSON. Each request runs one effect on rt, cancelled with the
// request's context: the handler asks for each post's author on its own,
// and the repository gathers those lookups.
func FeedHandler(rt *effect.Runtime, repo *Repo, pageSize int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		page, err := strconv.Atoi(req.URL.Query().Get("page"))
		if err != nil || page < 0 {
			http.Error(w, "page must be a number >= 0", http.StatusBadRequest)
			return
		}
		feed := repo.Page(page, pageSize).FlatMap(func(posts []Post) Eff[[]Byline] {
			return eff.ForEachPar(posts, func(p Post) Eff[Byline] {
				return repo.Author(p.AuthorID).Map(func(a Author) Byline { return Byline{p.Title, a.Name} })
			}, eff.Par{})
		})
		bylines, err := rt.Run(req.Context(), feed, nil)
		switch {
		case errors.Is(err, effect.ErrInterrupted):
			return // the client went away, or the server is shutting down
		case err != nil:
			http.Error(w, "feed unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(bylines)
	})
}
