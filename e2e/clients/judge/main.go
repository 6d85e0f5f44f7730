// judge runs third-party verdicts over Kubernetes objects, for jvmm's tests:
//
//	judge kstatus < OBJECTS           kstatus (sigs.k8s.io/cli-utils) of each object
//	judge argocd-health SCRIPT < OBJECTS
//	                                  an Argo CD health.lua's verdict on each object
//	judge argocd-health-test SCRIPT TESTS.yaml
//	                                  Argo CD's health_test.yaml fixtures: exit 1 on a mismatch
//
// OBJECTS is one JSON or YAML object or a JSON array of them; each verdict is printed as one
// JSON line {"status":..., "message":...}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

type verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "kstatus":
		err = eachObject(os.Stdin, func(obj map[string]interface{}) (verdict, error) {
			res, err := status.Compute(&unstructured.Unstructured{Object: obj})
			if err != nil {
				return verdict{}, err
			}
			return verdict{Status: res.Status.String(), Message: res.Message}, nil
		})
	case "argocd-health":
		if len(os.Args) != 3 {
			usage()
		}
		script := readFile(os.Args[2])
		err = eachObject(os.Stdin, func(obj map[string]interface{}) (verdict, error) {
			return argoHealth(obj, script)
		})
	case "argocd-health-test":
		if len(os.Args) != 4 {
			usage()
		}
		err = runHealthTests(readFile(os.Args[2]), os.Args[3])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "judge:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: judge kstatus | argocd-health SCRIPT | argocd-health-test SCRIPT TESTS.yaml")
	os.Exit(2)
}

func readFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "judge:", err)
		os.Exit(2)
	}
	return string(data)
}

// eachObject prints judge's verdict on every object read from in.
func eachObject(in io.Reader, judge func(map[string]interface{}) (verdict, error)) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	objects, err := parseObjects(data)
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	for _, obj := range objects {
		v, err := judge(obj)
		if err != nil {
			return err
		}
		if err := out.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// parseObjects decodes as the API machinery does, so that integers stay int64 (kstatus reads
// metadata.generation as one).
func parseObjects(data []byte) ([]map[string]interface{}, error) {
	encoded, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor YAML: %w", err)
	}
	raws := []json.RawMessage{encoded}
	if trimmed := bytes.TrimSpace(encoded); len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, err
		}
	}
	objects := make([]map[string]interface{}, 0, len(raws))
	for _, raw := range raws {
		var u unstructured.Unstructured
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("not a Kubernetes object: %w", err)
		}
		objects = append(objects, u.Object)
	}
	return objects, nil
}

// healthTests is Argo CD's resource_customizations/<group>/<kind>/health_test.yaml.
type healthTests struct {
	Tests []struct {
		HealthStatus verdict `json:"healthStatus"`
		InputPath    string  `json:"inputPath"`
	} `json:"tests"`
}

func runHealthTests(script, testsPath string) error {
	var tests healthTests
	if err := yaml.Unmarshal([]byte(readFile(testsPath)), &tests); err != nil {
		return fmt.Errorf("%s: %w", testsPath, err)
	}
	if len(tests.Tests) == 0 {
		return fmt.Errorf("%s: no tests", testsPath)
	}
	failed := 0
	for _, test := range tests.Tests {
		input := filepath.Join(filepath.Dir(testsPath), test.InputPath)
		objects, err := parseObjects([]byte(readFile(input)))
		if err != nil || len(objects) != 1 {
			return fmt.Errorf("%s: want one object (%v)", input, err)
		}
		got, err := argoHealth(objects[0], script)
		if err != nil {
			return fmt.Errorf("%s: %w", input, err)
		}
		if got != test.HealthStatus {
			failed++
			fmt.Printf("FAIL %s: want %s %q, got %s %q\n", test.InputPath, test.HealthStatus.Status,
				test.HealthStatus.Message, got.Status, got.Message)
		} else {
			fmt.Printf("ok   %s: %s %q\n", test.InputPath, got.Status, got.Message)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d health tests failed", failed, len(tests.Tests))
	}
	return nil
}
