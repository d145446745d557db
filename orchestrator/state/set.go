package state

// SetCondition summarises a set's state for clients that wait on it.
type SetCondition string

// Set conditions.
const (
	// NotObserved: the desired state changed and no pass has planned the set since.
	NotObserved SetCondition = "NotObserved"
	// Progressing: the controller is acting, or waits for pods to become Ready.
	Progressing SetCondition = "Progressing"
	// Converged: every desired pod exists, runs the current revision and is Ready.
	Converged SetCondition = "Converged"
	// Deleting: the set is being scaled to zero before it is forgotten.
	Deleting SetCondition = "Deleting"
)

// Observed reports whether the condition comes from a pass over the current desired state.
func (c SetCondition) Observed() bool { return c != NotObserved && c != "" }

// Terminal reports a condition that holds until the desired state changes.
func (c SetCondition) Terminal() bool { return c == Converged }
