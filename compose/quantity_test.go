package compose

import "testing"

func TestParseCPU(t *testing.T) {
	for in, want := range map[string]int64{
		"500m": 500, "1": 1000, "0.5": 500, "1.5": 1500, "2": 2000, ".25": 250, "100m": 100,
		"0.0001": 1, "1e3": 1000000, "1k": 1000000, "0": 0, "1.": 1000, "2e-3": 2,
	} {
		got, err := ParseCPU(in)
		if err != nil || got != want {
			t.Errorf("ParseCPU(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "half", "-1", "+1", "1 ", "1.2.3", "500 m", "1e3m", "m", "1x", "1_000", "."} {
		if got, err := ParseCPU(in); err == nil {
			t.Errorf("ParseCPU(%q) = %d; want an error", in, got)
		}
	}
}

func TestParseMemory(t *testing.T) {
	for in, want := range map[string]int64{
		"256Mi": 256 << 20, "1G": 1_000_000_000, "1000": 1000, "1Gi": 1 << 30, "1.5Ki": 1536,
		"128974848": 128974848, "129e6": 129000000, "123M": 123000000, "1Ei": 1 << 60,
	} {
		got, err := ParseMemory(in)
		if err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"256MB", "1gi", "-5Mi", "10Ei", "lots"} {
		if got, err := ParseMemory(in); err == nil {
			t.Errorf("ParseMemory(%q) = %d; want an error", in, got)
		}
	}
}
