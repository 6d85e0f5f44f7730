// Command kube-controller-manager is the upstream kube-controller-manager
// (garbage collector, namespace deletion, service-account tokens), built from
// the k8s.io/kubernetes module pinned in go.mod.
package main

import (
	"os"
	_ "time/tzdata" // the upstream main embeds zone data for CronJob time zones

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
