package mysql_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/mysql"
)

// Open connects to the MySQL or MariaDB of MYSQL_DSN. It needs a server, so
// it is compiled but not run by go test.
func ExampleOpen() {
	ctx := context.Background()
	store, err := mysql.Open(ctx, os.Getenv("MYSQL_DSN"), mysql.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// At most 4 replicas export at once.
	_, err = eff.Run(ctx, persistence.WithPermit(store, "exports", 4, persistence.LockOptions{TTL: time.Minute},
		func(*persistence.Held) eff.Effect[struct{}] { return eff.Unit() }))
	fmt.Println(err)
}
