package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func completionCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish): commands, flags, set and pod names",
		ArgsUsage: "bash|zsh|fish",
		Description: `Set and pod names come from the running daemon (none is started for a completion).

Examples:
   source <(ordset completion bash)
   ordset completion zsh > "${fpath[1]}/_ordset"
   ordset completion fish > ~/.config/fish/completions/ordset.fish`,
		Action: action(s, runCompletion),
	}
}

func runCompletion(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(1, "bash|zsh|fish"); err != nil {
		return err
	}
	script, ok := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}[in.arg(0)]
	if !ok {
		return usageErrorf("completion needs bash, zsh or fish")
	}
	_, err := fmt.Fprint(s.Out, script)
	return err
}

// completionKinds says which names complete a command's arguments.
type completionKinds struct{ sets, pods bool }

// nameCompletion says which names complete the arguments of a command, by path.
var nameCompletion = map[string]completionKinds{
	"logs": {true, true}, "exec": {false, true}, "describe": {true, true}, "delete pod": {false, true},
	"restart": {true, true}, "ps": {true, true}, "port": {false, true}, "wait": {true, true},
	"scale": {true, false}, "rollout status": {true, false}, "rollout restart": {true, false},
	"get statefulsets": {true, false},
}

// withNameCompletion makes the commands that take SET or POD arguments complete them.
func withNameCompletion(cmds []*cli.Command, prefix string, s *streams) {
	for _, c := range cmds {
		path := strings.TrimSpace(prefix + " " + c.Name)
		if k, ok := nameCompletion[path]; ok {
			c.BashComplete = func(ctx *cli.Context) {
				for _, n := range completionNames(ctx.Context, invocation{flagValues: ctx}, s, k) {
					fmt.Fprintln(s.Out, n)
				}
				cli.DefaultCompleteWithFlags(ctx.Command)(ctx)
			}
		}
		withNameCompletion(c.Subcommands, path, s)
	}
}

// completionNames asks a running daemon (never starting one) for the namespace's names.
func completionNames(ctx context.Context, in invocation, s *streams, k completionKinds) []string {
	p, err := statedir.DefaultPaths()
	if err != nil {
		return nil
	}
	ns, err := resolveNamespace(in, s)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	cl := api.NewClient(p.Socket)
	var names []string
	if k.sets {
		sets, _ := cl.StatefulSets(ctx, ns)
		for _, st := range sets {
			names = append(names, st.Name)
		}
	}
	if k.pods {
		pods, _ := cl.Pods(ctx, ns)
		for _, p := range pods {
			names = append(names, p.Name)
		}
	}
	return names
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

const fishCompletion = `function __ordset_complete
  set -l words (commandline -opc)
  set -l cur (commandline -ct)
  if string match -q -- '-*' $cur
    $words $cur --generate-bash-completion 2>/dev/null
  else
    $words --generate-bash-completion 2>/dev/null
  end
end
complete -c ordset -f -a '(__ordset_complete)'
`
