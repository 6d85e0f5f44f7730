// Command etcd is the etcd server at the version k8s.io/kubernetes v1.35.4
// requires (go.mod), started through etcd's own entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
