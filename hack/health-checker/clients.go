package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	"github.com/fluxcd/pkg/apis/kustomize"
	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// kstatusOf is generic kstatus, as used by Flux without healthCheckExprs, cli-utils and kpt.
func kstatusOf(u *unstructured.Unstructured) Verdict {
	res, err := status.Compute(u)
	if err != nil {
		return Verdict{Status: "Error", Error: err.Error()}
	}
	return Verdict{Status: string(res.Status), Message: res.Message}
}

// fluxReader is the status reader kustomize-controller builds from spec.healthCheckExprs.
type fluxReader struct {
	reader engine.StatusReader
}

func loadFlux(path string) (*fluxReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var doc struct {
			Kind string `json:"kind"`
			Spec struct {
				HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
			} `json:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%s: no Kustomization with spec.healthCheckExprs", path)
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if doc.Kind != "Kustomization" || len(doc.Spec.HealthCheckExprs) == 0 {
			continue
		}
		newReader, err := fluxcel.NewStatusReader(doc.Spec.HealthCheckExprs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		// The generic reader consults the mapper only to look objects up in a cluster; every object
		// here is handed over whole.
		return &fluxReader{reader: newReader(meta.NewDefaultRESTMapper(nil))}, nil
	}
}

func (f *fluxReader) verdict(u *unstructured.Unstructured) Verdict {
	if !f.reader.Supports(u.GroupVersionKind().GroupKind()) {
		return Verdict{Status: "Error", Error: "no healthCheckExprs for " + u.GroupVersionKind().GroupKind().String()}
	}
	rs, err := f.reader.ReadStatusForObject(context.Background(), nil, u)
	if err != nil {
		return Verdict{Status: "Error", Error: err.Error()}
	}
	v := Verdict{Status: string(rs.Status), Message: rs.Message}
	if rs.Error != nil {
		v.Error = rs.Error.Error()
	}
	return v
}

// argoScripts are the health scripts of argocd-cm, by key.
type argoScripts map[string]string

func loadArgoCD(path string) (argoScripts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cm struct {
		Kind string            `json:"kind"`
		Data map[string]string `json:"data"`
	}
	if err := utilyaml.Unmarshal(data, &cm); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cm.Kind != "ConfigMap" {
		return nil, fmt.Errorf("%s: kind %q, want ConfigMap", path, cm.Kind)
	}
	return cm.Data, nil
}

// argoKey is the argocd-cm key Argo CD reads a custom health check from.
func argoKey(gk schema.GroupKind) string {
	return "resource.customizations.health." + gk.Group + "_" + gk.Kind
}

func (a argoScripts) verdict(u *unstructured.Unstructured) Verdict {
	key := argoKey(u.GroupVersionKind().GroupKind())
	script, ok := a[key]
	if !ok {
		return Verdict{Status: "Error", Error: "argocd-cm has no key " + key}
	}
	status, message, err := runHealthLua(script, u.Object)
	if err != nil {
		return Verdict{Status: "Error", Error: err.Error()}
	}
	return Verdict{Status: status, Message: message}
}

// runHealthLua runs a health script the way Argo CD does: a fresh gopher-lua state with only the
// package, base and table libraries, the object as the global `obj`, the script's return value
// read as {status, message}.
func runHealthLua(script string, obj map[string]any) (string, string, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return "", "", err
		}
	}
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return "", "", err
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("the script returned %s, not a table", L.Get(-1).Type())
	}
	return luaString(ret.RawGetString("status")), luaString(ret.RawGetString("message")), nil
}

func luaString(v lua.LValue) string {
	if v == lua.LNil {
		return ""
	}
	return v.String()
}

// toLua turns a decoded JSON value into Lua values: objects and arrays become tables, numbers
// LNumber; JSON nulls are left out, as absent fields.
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case json.Number:
		f, _ := x.Float64()
		return lua.LNumber(f)
	case []any:
		t := L.NewTable()
		for _, item := range x {
			t.Append(toLua(L, item))
		}
		return t
	case map[string]any:
		t := L.NewTable()
		for k, item := range x {
			if item != nil {
				t.RawSetString(k, toLua(L, item))
			}
		}
		return t
	default:
		return lua.LString(strings.TrimSpace(fmt.Sprint(x)))
	}
}
