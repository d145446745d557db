package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
)

func completionCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash or zsh)",
		ArgsUsage: "bash|zsh",
		Description: `Examples:
   source <(ordset completion bash)
   ordset completion zsh > "${fpath[1]}/_ordset"`,
		Action: action(s, runCompletion),
	}
}

// The scripts ask the binary itself for candidates (urfave/cli's --generate-bash-completion),
// so they never go stale when commands change.
const bashCompletion = `_ordset_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
  fi
}
complete -o default -F _ordset_complete ordset
`

const zshCompletion = `#compdef ordset
_ordset() {
  local -a opts args
  args=(${words[2,CURRENT-1]})
  [[ ${words[CURRENT]} == -* ]] && args+=(${words[CURRENT]})
  opts=("${(@f)$(${words[1]} ${args[@]} --generate-bash-completion 2>/dev/null)}")
  compadd -a opts
}
compdef _ordset ordset
`

func runCompletion(ctx context.Context, in invocation, s *streams) error {
	switch in.arg(0) {
	case "bash":
		_, err := fmt.Fprint(s.Out, bashCompletion)
		return err
	case "zsh":
		_, err := fmt.Fprint(s.Out, zshCompletion)
		return err
	}
	return usageErrorf("completion needs bash or zsh")
}
