package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// argoHealth runs a health.lua as Argo CD's util/lua runs a health customization from argocd-cm:
// without gopher-lua's standard libraries (useOpenLibs is off for argocd-cm overrides), then with
// package, base and table opened, obj set to the object, a 1 s deadline, and the returned
// table's status checked against Argo CD's health codes. Argo CD also opens a reduced os
// library (time and date functions); a script that needs it fails here, which jvmm's does not.
func argoHealth(obj map[string]interface{}, script string) (verdict, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return verdict{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return verdict{}, err
	}
	returned := l.Get(-1)
	table, ok := returned.(*lua.LTable)
	if !ok {
		return verdict{}, fmt.Errorf("expect table output from Lua script, not %s", returned.Type())
	}
	encoded, err := json.Marshal(fromLua(table))
	if err != nil {
		return verdict{}, err
	}
	var v verdict
	if err := json.Unmarshal(encoded, &v); err != nil {
		return verdict{}, err
	}
	switch v.Status {
	case "Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing":
		return v, nil
	}
	return verdict{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
}

// toLua converts a decoded JSON value as Argo CD's decodeValue does.
func toLua(l *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []interface{}:
		array := l.CreateTable(len(v), 0)
		for _, item := range v {
			array.Append(toLua(l, item))
		}
		return array
	case map[string]interface{}:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}

// fromLua converts the script's result for JSON, keys as strings (Argo CD encodes it with
// gopher-json, then decodes it into its HealthStatus).
func fromLua(value lua.LValue) interface{} {
	switch v := value.(type) {
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		return string(v)
	case *lua.LTable:
		if v.MaxN() > 0 {
			array := []interface{}{}
			v.ForEach(func(_, item lua.LValue) { array = append(array, fromLua(item)) })
			return array
		}
		object := map[string]interface{}{}
		v.ForEach(func(key, item lua.LValue) { object[key.String()] = fromLua(item) })
		return object
	}
	return nil
}
