package web_test

import (
	"encoding/xml"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"trustmark/internal/web"
)

// svgNode is an element of a decoded SVG: its name, attributes, text and children.
type svgNode struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*svgNode
}

// decodeSVG parses markup as XML, failing the test when it is not well formed.
func decodeSVG(t *testing.T, markup template.HTML) *svgNode {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(markup)))
	d.Strict = true
	var stack []*svgNode
	var root *svgNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart markup is not well-formed XML: %v\n%s", err, markup)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &svgNode{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root == nil {
				root = n
			} else {
				t.Fatalf("chart markup has more than one root element")
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatalf("chart markup is empty")
	}
	return root
}

// all returns the descendants of n named name, in document order.
func (n *svgNode) all(name string) []*svgNode {
	var out []*svgNode
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// texts returns the text of every <text> element under n.
func (n *svgNode) texts() []string {
	var out []string
	for _, e := range n.all("text") {
		out = append(out, e.Text)
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("attribute %q is not a number", s)
	}
	return f
}

// checkAccessibleSVG checks the chart's accessible name and description.
func checkAccessibleSVG(t *testing.T, svg *svgNode, id, title, desc string) {
	t.Helper()
	if svg.Name != "svg" || svg.Attrs["role"] != "img" || svg.Attrs["aria-labelledby"] != id+"-title "+id+"-desc" {
		t.Errorf("root = <%s role=%q aria-labelledby=%q>; want an svg image labelled by its title and desc", svg.Name, svg.Attrs["role"], svg.Attrs["aria-labelledby"])
	}
	if len(svg.Children) < 2 || svg.Children[0].Name != "title" || svg.Children[0].Attrs["id"] != id+"-title" || svg.Children[0].Text != title {
		t.Errorf("the first child is not <title id=%s-title>%s</title>", id, title)
	}
	if len(svg.Children) < 2 || svg.Children[1].Name != "desc" || svg.Children[1].Attrs["id"] != id+"-desc" || svg.Children[1].Text != desc {
		t.Errorf("the second child is not <desc id=%s-desc>%s</desc>", id, desc)
	}
	for _, e := range append(svg.all("rect"), svg.all("text")...) {
		if _, ok := e.Attrs["style"]; ok {
			t.Errorf("<%s> has a style attribute, which the CSP forbids", e.Name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestBarChart(t *testing.T) {
	series := []web.ChartSeries{{Label: "Active"}, {Label: "Suspended"}, {Label: "Terminated"}}
	cases := []struct {
		name      string
		bars      []web.Bar
		wantBars  int // segments drawn
		wantEmpty bool
		wantTexts []string
	}{
		{
			name: "stacked",
			bars: []web.Bar{
				{Label: "Jan", Sub: "2026", Name: "January 2026", Values: []int{3, 1, 0}},
				{Label: "Feb", Name: "February 2026", Values: []int{0, 0, 0}},
				{Label: "Mar", Name: "March 2026", Values: []int{7, 0, 2}},
			},
			wantBars:  4,
			wantTexts: []string{"Jan", "2026", "Feb", "Mar", "4", "9", "Active", "Suspended", "Terminated", "Month", "Grants"},
		},
		{
			name:      "all zero",
			bars:      []web.Bar{{Label: "Jan", Values: []int{0, 0, 0}}, {Label: "Feb", Values: []int{0, 0, 0}}},
			wantEmpty: true,
			wantTexts: []string{"Jan", "Feb", "No grants yet"},
		},
		{
			name:      "no bars",
			wantEmpty: true,
			wantTexts: []string{"No grants yet", "Month"},
		},
		{
			name:      "one large value",
			bars:      []web.Bar{{Label: "A", Values: []int{1234, 0, 0}}, {Label: "B", Values: []int{17, 0, 0}}},
			wantBars:  2,
			wantTexts: []string{"1234", "17", "1500"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := web.BarChart{ID: "grants", Title: "Grants per month", Desc: "Grants issued per month by status.", XLabel: "Month", YLabel: "Grants",
				Series: series, Bars: c.bars, TotalLabel: "Total", TableLabel: "Data table", EmptyText: "No grants yet"}
			out, err := ch.SVG()
			if err != nil {
				t.Fatalf("SVG() = %v", err)
			}
			svg := decodeSVG(t, out)
			checkAccessibleSVG(t, svg, "grants", ch.Title, ch.Desc)
			var rects []*svgNode
			for _, r := range svg.all("rect") {
				if r.Attrs["class"] == "bar" {
					rects = append(rects, r)
				}
			}
			if len(rects) != c.wantBars {
				t.Errorf("drew %d bar segments, want %d", len(rects), c.wantBars)
			}
			// Heights are proportional to values: one units-per-value ratio for all.
			ratio := 0.0
			for _, r := range rects {
				v, h := num(t, r.Attrs["data-value"]), num(t, r.Attrs["height"])
				if ratio == 0 {
					ratio = h / v
				}
				if math.Abs(h/v-ratio) > 0.06 {
					t.Errorf("segment of value %v is %v high; at %v units per value it should be %v", v, h, ratio, v*ratio)
				}
				if !strings.HasPrefix(r.Attrs["fill"], "url(#grants-p") {
					t.Errorf("segment fill = %q, want a pattern of this chart", r.Attrs["fill"])
				}
			}
			texts := svg.texts()
			for _, want := range c.wantTexts {
				if !contains(texts, want) {
					t.Errorf("no visible text %q in %q", want, texts)
				}
			}
			if got := contains(texts, "No grants yet"); got != c.wantEmpty {
				t.Errorf("empty message shown = %v, want %v", got, c.wantEmpty)
			}
			// Stacked segments sit on one another without gaps.
			if c.name == "stacked" {
				a, b := rects[0], rects[1] // Jan: active 3, then suspended 1 above it
				if math.Abs(num(t, b.Attrs["y"])+num(t, b.Attrs["height"])-num(t, a.Attrs["y"])) > 0.11 {
					t.Errorf("suspended segment does not sit on the active one: %v / %v", b.Attrs, a.Attrs)
				}
				if a.Attrs["fill"] == b.Attrs["fill"] {
					t.Errorf("two series share the pattern %s", a.Attrs["fill"])
				}
			}
			// Every pattern a bar uses is defined in the chart.
			defined := map[string]bool{}
			for _, p := range svg.all("pattern") {
				defined["url(#"+p.Attrs["id"]+")"] = true
			}
			for _, r := range svg.all("rect") {
				if f := r.Attrs["fill"]; strings.HasPrefix(f, "url(") && !defined[f] {
					t.Errorf("fill %s names no pattern of the chart", f)
				}
			}
		})
	}
}

// Labels are text: markup in them is escaped, and the output stays XML.
func TestChartEscapesLabels(t *testing.T) {
	evil := `<script>alert("x")</script> & "quotes"`
	bar := web.BarChart{ID: "esc", Title: evil, Desc: evil, XLabel: evil, YLabel: evil,
		Series: []web.ChartSeries{{Label: evil}, {Label: "b"}}, Bars: []web.Bar{{Label: evil, Sub: evil, Name: evil, Values: []int{1, 2}}},
		TotalLabel: evil, TableLabel: evil, EmptyText: evil}
	hbar := web.HBarChart{ID: "esc2", Title: evil, Desc: evil, XLabel: evil, LabelHeader: evil, ValueHeader: evil, Columns: []string{evil},
		Max: 20, Rows: []web.HBar{{Label: evil, Value: 3, ValueText: evil, Cells: []string{evil}}}, Series: []web.ChartSeries{{Label: evil}},
		TableLabel: evil, EmptyText: evil}
	for name, render := range map[string]func() (template.HTML, error){
		"bar svg": bar.SVG, "bar html": bar.HTML, "hbar svg": hbar.SVG, "hbar html": hbar.HTML,
	} {
		out, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(string(out), "<script") {
			t.Errorf("%s: a label's markup reached the output unescaped", name)
		}
		root := decodeSVG(t, out)
		found := false
		for _, n := range append(root.all("text"), append(root.all("title"), root.all("th")...)...) {
			if strings.Contains(n.Text, `<script>alert("x")</script>`) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the label text is not shown as text", name)
		}
	}
}

func TestHBarChart(t *testing.T) {
	cases := []struct {
		name      string
		max       int
		rows      []web.HBar
		wantEmpty bool
		wantW     []float64 // widths relative to the first non-zero row
	}{
		{"cure clocks", 20, []web.HBar{{Label: "Thermo One Smart Thermostat with a very long name", Value: 12, ValueText: "12 days left"},
			{Label: "Cam", Value: 3, ValueText: "3 days left", Series: 2}, {Label: "Overdue", Value: 0, ValueText: "overdue", Series: 2}}, false, []float64{1, 0.25, 0}},
		{"scale from values", 0, []web.HBar{{Label: "With the CLA", Value: 4}, {Label: "With the regulator", Value: 1}}, false, []float64{1, 0.25}},
		{"empty", 20, nil, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := web.HBarChart{ID: "cure", Title: "Cure clocks", Desc: "Days left.", XLabel: "Days left of 20", LabelHeader: "Product", ValueHeader: "Days left",
				Max: c.max, Rows: c.rows, TableLabel: "Data", EmptyText: "No suspended grants",
				Series: []web.ChartSeries{{Label: "Running"}, {Label: "Half gone"}, {Label: "Last days"}}}
			out, err := ch.SVG()
			if err != nil {
				t.Fatal(err)
			}
			svg := decodeSVG(t, out)
			checkAccessibleSVG(t, svg, "cure", ch.Title, ch.Desc)
			var widths []float64
			for _, r := range svg.all("rect") {
				if r.Attrs["class"] == "bar" {
					widths = append(widths, num(t, r.Attrs["width"]))
				}
			}
			if len(widths) != len(c.wantW) {
				t.Fatalf("drew %d bars, want %d", len(widths), len(c.wantW))
			}
			for i, w := range c.wantW {
				if math.Abs(widths[i]/widths[0]-w) > 0.01 {
					t.Errorf("bar %d is %v wide, %v of the first; want %v", i, widths[i], widths[i]/widths[0], w)
				}
			}
			texts := svg.texts()
			if got := contains(texts, "No suspended grants"); got != c.wantEmpty {
				t.Errorf("empty message shown = %v, want %v", got, c.wantEmpty)
			}
			if c.max == 20 && !c.wantEmpty {
				for _, want := range []string{"0", "20", "12 days left", "overdue", "Days left of 20", "Running", "Last days", "Thermo One Smart Thermo…"} {
					if !contains(texts, want) {
						t.Errorf("no visible text %q in %q", want, texts)
					}
				}
				// The full name stays available as the row's tooltip.
				if !strings.Contains(string(out), "<title>Thermo One Smart Thermostat with a very long name: 12 days left</title>") {
					t.Errorf("the shortened label's full text is not in the row's title")
				}
			}
		})
	}
}

// The figure holds the chart and a table with the same numbers.
func TestChartDataTable(t *testing.T) {
	ch := web.BarChart{ID: "g", Title: "Grants", Desc: "d", XLabel: "Month", YLabel: "Grants", TotalLabel: "Total", TableLabel: "Show the data",
		Series: []web.ChartSeries{{Label: "Active"}, {Label: "Suspended"}},
		Bars:   []web.Bar{{Label: "Jan", Name: "January 2026", Values: []int{3, 1}}, {Label: "Feb", Name: "February 2026", Values: []int{0, 2}}}}
	out, err := ch.HTML()
	if err != nil {
		t.Fatal(err)
	}
	fig := decodeSVG(t, out)
	if fig.Name != "figure" || len(fig.all("svg")) != 1 || len(fig.all("table")) != 1 || len(fig.all("summary")) != 1 {
		t.Fatalf("HTML() = <%s> with %d svg, %d table; want a figure with the chart and a table", fig.Name, len(fig.all("svg")), len(fig.all("table")))
	}
	var cells [][]string
	for _, tr := range fig.all("tr") {
		var row []string
		for _, c := range tr.Children {
			row = append(row, c.Text)
		}
		cells = append(cells, row)
	}
	want := [][]string{{"Month", "Active", "Suspended", "Total"}, {"January 2026", "3", "1", "4"}, {"February 2026", "0", "2", "2"}}
	if len(cells) != len(want) {
		t.Fatalf("table rows = %q, want %q", cells, want)
	}
	for i := range want {
		if strings.Join(cells[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("table row %d = %q, want %q", i, cells[i], want[i])
		}
	}
	for _, th := range fig.all("th") {
		if th.Attrs["scope"] == "" {
			t.Errorf("table header %q has no scope", th.Text)
		}
	}

	empty := web.HBarChart{ID: "e", Title: "Cure clocks", LabelHeader: "Product", ValueHeader: "Days", Columns: []string{"Deadline"}, EmptyText: "None suspended"}
	out, err = empty.HTML()
	if err != nil {
		t.Fatal(err)
	}
	fig = decodeSVG(t, out)
	tds := fig.all("td")
	if len(tds) != 1 || tds[0].Text != "None suspended" || tds[0].Attrs["colspan"] != "3" {
		t.Errorf("empty table cells = %v; want one cell spanning 3 columns saying so", tds)
	}
}
