package compose

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
)

// Binary and decimal suffixes of Kubernetes quantities.
var quantitySuffixes = []struct {
	suffix string
	mult   *big.Rat
}{
	{"Ki", pow(2, 10)}, {"Mi", pow(2, 20)}, {"Gi", pow(2, 30)}, {"Ti", pow(2, 40)}, {"Pi", pow(2, 50)}, {"Ei", pow(2, 60)},
	{"m", big.NewRat(1, 1000)},
	{"k", pow(10, 3)}, {"M", pow(10, 6)}, {"G", pow(10, 9)}, {"T", pow(10, 12)}, {"P", pow(10, 15)}, {"E", pow(10, 18)},
}

func pow(base, exp int64) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil))
}

var (
	plainNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+(\.[0-9]*)?|\.[0-9]+)$`) })
	expNumber   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[-+]?[0-9]{1,3})?$`) })
)

// parseQuantity reads a non-negative Kubernetes quantity ("500m", "1.5",
// "256Mi", "1G", "1e3") exactly, without float rounding.
func parseQuantity(s string) (*big.Rat, error) {
	num, mult := s, big.NewRat(1, 1)
	for _, sf := range quantitySuffixes {
		if strings.HasSuffix(s, sf.suffix) {
			num, mult = strings.TrimSuffix(s, sf.suffix), sf.mult
			break
		}
	}
	re := plainNumber()
	if mult.Cmp(big.NewRat(1, 1)) == 0 {
		re = expNumber()
	}
	if !re.MatchString(num) {
		return nil, fmt.Errorf("invalid quantity %q", s)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, fmt.Errorf("invalid quantity %q", s)
	}
	return r.Mul(r, mult), nil
}

// ceilInt64 rounds a non-negative quantity up, as Kubernetes does for
// sub-unit precision, and reports overflow.
func ceilInt64(r *big.Rat, s string) (int64, error) {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("quantity %q is too large", s)
	}
	return q.Int64(), nil
}

// ParseCPU converts a cpu quantity to milli-CPUs: "500m" -> 500, "1" -> 1000, "0.5" -> 500.
func ParseCPU(s string) (int64, error) {
	r, err := parseQuantity(s)
	if err != nil {
		return 0, err
	}
	return ceilInt64(r.Mul(r, big.NewRat(1000, 1)), s)
}

// ParseMemory converts a memory quantity to bytes: "256Mi", "1G", "1000".
func ParseMemory(s string) (int64, error) {
	r, err := parseQuantity(s)
	if err != nil {
		return 0, err
	}
	return ceilInt64(r, s)
}
