// Package repo reads gogoscope's own repository for the checks that keep
// it honest: every doc link of every package resolves ([CheckDocLinks]),
// every Go code block of the guide compiles ([ExtractBlocks],
// [CompileBlocks]), and a package imports only what it promises
// ([ImportClosure]). Its tests run those checks over the repository; the
// library itself is used by tests only.
//
// # Code blocks of the guide
//
// Every block fenced as ```go in README.md and docs/*.md is compiled, each
// as a package of its own, by [CompileBlocks]; docs/README.md states the
// convention for writers:
//
//   - A block that starts with a package clause is a whole file, compiled
//     as it is.
//   - Any other block is a fragment. Its top-level declarations (func,
//     type, var, const) stay at the top level; its statements, in order,
//     become the body of one function. Variables that the statements
//     declare count as used.
//   - Imports are added for the packages a block names (context, effect,
//     schedule, errgroup, ...: see [KnownImports]) and does not import
//     itself. An import of the block's own that it does not use is made
//     blank, so a block may show an import line.
//   - A function declared without a body lists a signature: it is given a
//     body that panics, so its types are still checked.
//   - Names a fragment uses without declaring them (ctx, db, a service)
//     come from a setup: an HTML comment that starts with "<!-- go:setup"
//     and holds Go declarations. It is invisible on a rendered page and
//     applies to every block after it in the file, until the next setup; an
//     empty "<!-- go:setup -->" ends it.
//   - A block preceded by the comment "<!-- go:continue -->" is compiled in
//     the same package as the Go block before it, so a chapter can build a
//     program step by step; both have the same setup.
//   - A block that is not meant to compile is not a Go block: fence it as
//     text (pseudo-code, output) or as its own language (```ts).
//
// Compiler errors name the Markdown file and line of the block.
package repo
