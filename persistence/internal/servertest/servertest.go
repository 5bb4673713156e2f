//go:build unix

package servertest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Server is a private server process.
type Server struct {
	// DSN is how to reach it: a Redis URL, a PostgreSQL URL or a
	// go-sql-driver DSN.
	DSN  string
	Port int

	t     testing.TB
	argv  []string
	ready func() bool // reports whether the server answers, once its port is open
	cred  *syscall.Credential
	dir   string
	cmd   *exec.Cmd
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("fault injection cannot run in CI: %s", why)
	}
	t.Skipf("fault injection skipped: %s", why)
}

// FreePort returns a port of 127.0.0.1 that nothing listens on now.
func FreePort(t testing.TB) string { return strconv.Itoa(freePort(t)) }

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func credOf(t testing.TB, name string) *syscall.Credential {
	if os.Geteuid() != 0 {
		unavailable(t, "needs root to run the server as "+name)
	}
	u, err := user.Lookup(name)
	if err != nil {
		unavailable(t, "no user "+name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

func mkdir(t testing.TB, owner *syscall.Credential) string {
	dir, err := os.MkdirTemp("", "gogoscope-fault-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if owner != nil {
		if err := os.Chown(dir, int(owner.Uid), int(owner.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t testing.TB, cred *syscall.Credential, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// Start starts the server and waits until its port accepts connections.
func (s *Server) Start() {
	s.t.Helper()
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Dir = s.dir
	log, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", s.argv[0], err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), time.Second)
		if err == nil {
			c.Close()
			if s.ready == nil || s.ready() {
				return
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			s.t.Fatalf("%s did not listen on %d within 60s:\n%s", s.argv[0], s.Port, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill kills the server with SIGKILL and waits for it to exit.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
	if s.cred != nil {
		// PostgreSQL's children (backends, checkpointer) outlive a
		// killed postmaster until they notice; wait for the port.
		time.Sleep(200 * time.Millisecond)
	}
}

func newServer(t testing.TB, dir string, port int, cred *syscall.Credential, ready func() bool, dsn string, argv ...string) *Server {
	s := &Server{t: t, dir: dir, Port: port, cred: cred, DSN: dsn, argv: argv, ready: ready}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// Redis starts a private Redis that keeps nothing on disk.
func Redis(t testing.TB) *Server {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unavailable(t, "redis-server not installed")
	}
	dir := mkdir(t, nil)
	port := freePort(t)
	return newServer(t, dir, port, nil, nil, fmt.Sprintf("redis://127.0.0.1:%d/0", port),
		bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
}

// Postgres starts a private PostgreSQL 15 cluster made by initdb (about
// two seconds), with trust authentication on 127.0.0.1.
func Postgres(t testing.TB) *Server {
	const bin = "/usr/lib/postgresql/15/bin/"
	if _, err := os.Stat(bin + "postgres"); err != nil {
		unavailable(t, "PostgreSQL 15 not installed")
	}
	cred := credOf(t, "postgres")
	dir := mkdir(t, cred)
	data := filepath.Join(dir, "data")
	run(t, cred, bin+"initdb", "-D", data, "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8")
	port := freePort(t)
	ready := func() bool {
		// The port opens before the server accepts sessions.
		return exec.Command(bin+"pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port)).Run() == nil
	}
	return newServer(t, dir, port, cred, ready, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		bin+"postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off")
}

// MariaDB starts a private MariaDB made by mariadb-install-db (a few
// seconds), without grant tables, on 127.0.0.1.
func MariaDB(t testing.TB) *Server {
	bin, err := exec.LookPath("mariadbd")
	if err != nil {
		bin = "/usr/sbin/mariadbd"
		if _, err := os.Stat(bin); err != nil {
			unavailable(t, "mariadbd not installed")
		}
	}
	cred := credOf(t, "mysql")
	dir := mkdir(t, cred)
	data := filepath.Join(dir, "data")
	run(t, nil, "mariadb-install-db", "--user=mysql", "--datadir="+data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve")
	port := freePort(t)
	// mariadbd drops to --user itself: it starts as root, so that Kill
	// signals the server's own pid.
	s := newServer(t, dir, port, nil, nil, fmt.Sprintf("root@tcp(127.0.0.1:%d)/mysql", port),
		bin, "--no-defaults", "--user=mysql", "--datadir="+data, "--port="+strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket="+filepath.Join(dir, "mysqld.sock"), "--pid-file="+filepath.Join(dir, "mysqld.pid"),
		"--skip-grant-tables", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2", "--innodb-buffer-pool-size=16M", "--skip-name-resolve")
	return s
}
