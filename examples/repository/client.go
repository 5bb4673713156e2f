package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gogoscope/gogoscope/eff"
)

// Report is what the crowd of clients saw.
type Report struct {
	Feeds, Bylines, Wrong int
}

// Crowd returns an effect that runs cfg.Clients clients at once against
// the server at url, through client, each asking cfg.Requests feed pages,
// and checks every byline against the authorship rule of OpenDB.
func Crowd(client *http.Client, url string, cfg Config) Eff[Report] {
	pages := (cfg.Posts + cfg.PageSize - 1) / cfg.PageSize
	visitor := func(c int) Eff[Report] {
		feeds := eff.ForEach(ints(cfg.Requests), func(i int) Eff[[]Byline] {
			return fetchFeed(client, url, PageOf(c, i, pages))
		})
		return feeds.Map(func(feeds [][]Byline) Report {
			var r Report
			for _, feed := range feeds {
				r.Feeds++
				for _, b := range feed {
					r.Bylines++
					if !rightAuthor(b, cfg.Authors) {
						r.Wrong++
					}
				}
			}
			return r
		})
	}
	return eff.ForEachPar(ints(cfg.Clients), visitor, eff.Par{}).Map(func(rs []Report) Report {
		var total Report
		for _, r := range rs {
			total.Feeds += r.Feeds
			total.Bylines += r.Bylines
			total.Wrong += r.Wrong
		}
		return total
	})
}

// PageOf is the page that client c asks for in its request i, of pages.
func PageOf(c, i, pages int) int { return (c*31 + i*17) % pages }

// fetchFeed returns an effect that asks the server for a page of the feed.
func fetchFeed(client *http.Client, url string, page int) Eff[[]Byline] {
	return eff.Try(func(ctx context.Context) ([]Byline, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/feed?page=%d", url, page), nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("feed page %d: %s", page, resp.Status)
		}
		var feed []Byline
		return feed, json.NewDecoder(resp.Body).Decode(&feed)
	})
}

// rightAuthor reports whether b names the author OpenDB gave its post.
func rightAuthor(b Byline, authors int) bool {
	var post int
	if _, err := fmt.Sscanf(b.Post, "post-%d", &post); err != nil {
		return false
	}
	return b.Author == fmt.Sprintf("author-%03d", (post*7)%authors+1)
}

func ints(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
