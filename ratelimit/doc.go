// Package ratelimit has rate limiters owned by a scope.
package ratelimit
