// Package repo reads gogoscope's own repository for the checks that keep
// it honest, such as that a package imports only what it promises
// ([ImportClosure]). The library is used by tests only.
package repo
