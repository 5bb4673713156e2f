// Package repo reads gogoscope's own repository for the checks that keep
// it honest: every doc link of every package resolves ([CheckDocLinks]),
// and a package imports only what it promises ([ImportClosure]). Its tests
// run those checks over the repository; the library itself is used by
// tests only.
package repo
