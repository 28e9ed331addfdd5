package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestCriteriaCommand(t *testing.T) {
	tests := []struct {
		args    []string
		stdin   string
		want    string // in stdout
		wantErr string // in the error; "" means success
	}{
		{[]string{"list"}, "", "etsi-en-303-645", ""},
		{[]string{"list", "--json"}, "", `"id": "uk-psti"`, ""},
		{[]string{"show", "uk-psti"}, "", "Sch1.3", ""},
		{[]string{"show", "etsi-en-303-645", "5.1-1", "--json"}, "", `"obligation"`, ""},
		{[]string{"show", "--json", "uk-psti"}, "", `"catalog"`, ""},
		{[]string{"map", "uk-psti", "etsi-en-303-645"}, "", "5.1-1", ""},
		{[]string{"evaluate", "-"}, `{"catalog":"uk-psti","results":[{"requirement":"Sch1.1","outcome":"pass"},{"requirement":"Sch1.2","outcome":"pass"},{"requirement":"Sch1.3","outcome":"pass"}]}`, "UK PSTI: 3/3 met", ""},
		{[]string{"evaluate", "-"}, `{"catalog":"uk-psti","results":[{"requirement":"Sch1.2","outcome":"not_applicable"}]}`, "", "Sch1.2"},
		{[]string{"evaluate", "-"}, `{"catalog":"uk-psti","results":[{"requirement":"Sch1.1","outcome":"pass"},{"requirement":"Sch1.1","outcome":"fail"}]}`, "", "Sch1.1"},
		{[]string{"evaluate", "-"}, `not json`, "", "read assessment"},
		{[]string{"evaluate", "/no/such/file"}, ``, "", "no such file"},
		{[]string{"show", "nope"}, "", "", "not found"},
		{[]string{"map", "uk-psti"}, "", "", "FROM TO"},
		{[]string{"frobnicate"}, "", "", "unknown criteria subcommand"},
		{nil, "", "", "needs a subcommand"},
	}
	for _, tt := range tests {
		var out lockedBuffer
		err := run(context.Background(), append([]string{"trustmark", "criteria"}, tt.args...), envOf(nil), strings.NewReader(tt.stdin), &out, io.Discard)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("criteria %v = %v", tt.args, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("criteria %v = %v, want an error mentioning %q", tt.args, err, tt.wantErr)
		case !strings.Contains(out.String(), tt.want):
			t.Errorf("criteria %v printed %.300q, want %q in it", tt.args, out.String(), tt.want)
		}
	}
	var out lockedBuffer
	if err := run(context.Background(), []string{"trustmark", "criteria", "list", "--json"}, envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out.String()), &list); err != nil || len(list) < 6 {
		t.Errorf("criteria list --json = %d catalogs, %v; want ≥ 6 as a JSON array", len(list), err)
	}
}
