package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /readyz follows the database; /metrics reports request latency by route
// pattern, store latency by operation and the log's size and lag.
func TestReadyzAndMetrics(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) {
		m := web.NewMetrics()
		store := m.InstrumentStore(db)
		f := storetest.NewFixture(t, store, "ops")
		g := f.Grant(t, store, "Metered Cam", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		tl := newTestLog(t, store)
		srv, err := web.NewServer(store, web.Config{BaseURL: "https://labels.example.org", Metrics: m, Log: tl})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()

		if code, body := fetch(t, ts.URL+"/readyz"); code != 200 || !strings.Contains(body, `"ready"`) {
			t.Errorf("/readyz = %d %s, want 200 ready", code, body)
		}
		if code, _ := fetch(t, ts.URL+"/api/v1/registry/"+string(g.LabelID)); code != 200 {
			t.Fatalf("GET record = %d", code)
		}
		fetch(t, ts.URL+"/no/such/page")
		code, body := fetch(t, ts.URL+"/metrics")
		if code != 200 {
			t.Fatalf("/metrics = %d", code)
		}
		for _, want := range []string{
			`trustmark_http_request_duration_seconds_count{code="200",method="GET",route="/api/v1/registry/{label_id}"} 1`,
			`trustmark_http_request_duration_seconds_count{code="200",method="GET",route="/readyz"} 1`,
			`trustmark_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
			`trustmark_store_operation_duration_seconds_count{operation="issue_grant",result="ok"} 1`,
			`trustmark_store_operation_duration_seconds_count{operation="create_organization",result="ok"} 3`,
			`trustmark_log_entries 1`,
			`trustmark_log_checkpoint_size 1`,
			`trustmark_log_integration_lag_entries 0`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}

		// Once the database is gone the server is not ready.
		db.Close()
		if code, body := fetch(t, ts.URL+"/readyz"); code != 503 || strings.Contains(body, "sql") {
			t.Errorf("/readyz with the store closed = %d %s, want 503 without details", code, body)
		}
	})
}
