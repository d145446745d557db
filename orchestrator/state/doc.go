// Package state holds the typed states the controller reports and every client reads: pod
// phases (kubectl's STATUS column) and set conditions. Callers branch on their methods
// (Failed, Terminal, Init...) instead of matching text, so a new phase such as an init
// container's crash loop is classified in one place. It imports nothing of ordset's.
package state
