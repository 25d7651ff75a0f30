// health-checker: what kstatus, Flux and Argo CD make of Canary objects, computed by those
// projects' own code rather than by a reimplementation, for test/integration/e2e-gitops-health.
//
//	health-checker -flux deploy/flux/podinfo.yaml -argocd deploy/argocd/argocd-cm.yaml [FILE...]
//
// Input: Kubernetes objects as JSON, one object or a JSON array per FILE (stdin without FILEs).
// Output: a JSON array on stdout, one verdict per object, in input order:
//
//	{"name": "ns/name",
//	 "kstatus": {"status": "Current", "message": "..."},        // sigs.k8s.io/cli-utils status.Compute
//	 "flux":    {"status": "InProgress", "message": "", "error": ""},  // Flux's healthCheckExprs reader
//	 "argocd":  {"status": "Healthy", "message": "...", "error": ""}}  // the argocd-cm Lua on gopher-lua
//
// An error of one client for one object is reported in that client's "error" field; the program
// exits non-zero only when it cannot read its inputs or the shipped Flux/Argo CD files.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Verdict is one client's answer for one object.
type Verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

// Report is every client's answer for one object.
type Report struct {
	Name    string  `json:"name"`
	KStatus Verdict `json:"kstatus"`
	Flux    Verdict `json:"flux"`
	ArgoCD  Verdict `json:"argocd"`
}

func main() {
	fluxFile := flag.String("flux", "deploy/flux/podinfo.yaml",
		"a multi-document YAML file holding the Kustomization whose spec.healthCheckExprs are evaluated")
	argoFile := flag.String("argocd", "deploy/argocd/argocd-cm.yaml",
		"the argocd-cm ConfigMap holding resource.customizations.health.<group>_<kind>")
	flag.Parse()
	if err := run(*fluxFile, *argoFile, flag.Args(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "health-checker: %v\n", err)
		os.Exit(1)
	}
}

func run(fluxFile, argoFile string, files []string, stdin io.Reader, stdout io.Writer) error {
	flux, err := loadFlux(fluxFile)
	if err != nil {
		return err
	}
	argo, err := loadArgoCD(argoFile)
	if err != nil {
		return err
	}
	var objects []map[string]any
	if len(files) == 0 {
		if objects, err = decodeObjects(stdin); err != nil {
			return fmt.Errorf("stdin: %w", err)
		}
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return err
		}
		objs, err := decodeObjects(r)
		_ = r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		objects = append(objects, objs...)
	}
	reports := make([]Report, 0, len(objects))
	for _, o := range objects {
		u := &unstructured.Unstructured{Object: o}
		reports = append(reports, Report{
			Name:    u.GetNamespace() + "/" + u.GetName(),
			KStatus: kstatusOf(u),
			Flux:    flux.verdict(u),
			ArgoCD:  argo.verdict(u),
		})
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

// decodeObjects reads one JSON object or a JSON array of objects. Numbers are decoded the way
// client-go decodes unstructured objects (int64 when integral), which kstatus relies on.
func decodeObjects(r io.Reader) ([]map[string]any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	} else {
		list = []json.RawMessage{raw}
	}
	out := make([]map[string]any, 0, len(list))
	for i, item := range list {
		obj, _, err := unstructured.UnstructuredJSONScheme.Decode(item, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		out = append(out, obj.(*unstructured.Unstructured).Object)
	}
	return out, nil
}
