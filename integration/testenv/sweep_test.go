package testenv

import "testing"

// TestMarked: only a label the object carries itself marks it; one its image carries does not.
func TestMarked(t *testing.T) {
	for _, tc := range []struct {
		name       string
		obj, image map[string]string
		want       bool
	}{
		{"test container", map[string]string{Label: "1"}, map[string]string{"io.ordset.test": "1"}, true},
		{"volume", map[string]string{Label: "1"}, nil, true},
		{"user pod from a test image", map[string]string{"io.ordset.test": "1"}, map[string]string{"io.ordset.test": "1"}, false},
		{"inherited from the image", map[string]string{Label: "1"}, map[string]string{Label: "1"}, false},
		{"other value", map[string]string{Label: "0"}, nil, false},
		{"unlabelled", nil, nil, false},
	} {
		if got := Marked(tc.obj, tc.image); got != tc.want {
			t.Errorf("%s: Marked = %v, want %v", tc.name, got, tc.want)
		}
	}
}
