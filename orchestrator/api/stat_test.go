package api

import "os"

func lstat(p string) (os.FileMode, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return 0, err
	}
	return fi.Mode().Perm(), nil
}
