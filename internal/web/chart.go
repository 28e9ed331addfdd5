package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"unicode/utf8"
)

// This file draws the dashboard's charts as inline SVG on the server, so
// they need no script and obey the strict CSP: colours and hatching are SVG
// presentation attributes (fill, stroke) and patterns, never style
// attributes. Every chart is an accessible image (role="img" with <title>
// and <desc>), has visible axis labels and a legend, tells its series apart
// by pattern and label as well as colour, and comes with a data table
// holding the same numbers (WCAG 2.2 1.1.1, 1.4.1). All text reaches the
// markup through html/template, which escapes it.

// ChartSeries is one kind of value a chart shows, e.g. one grant status.
// Its position in the chart's series list picks its colour and pattern.
type ChartSeries struct {
	Label string
}

// Bar is one bar of a BarChart: a category (a month) and one value per
// series, stacked in series order from the axis up.
type Bar struct {
	Label string // under the bar, e.g. "Mar"
	Sub   string // an optional second line, e.g. the year
	// Name is the category's full name for the data table and the bar's
	// tooltip, e.g. "March 2026"; empty means Label.
	Name   string
	Values []int
}

// BarChart is a vertical bar chart, stacked when it has several series.
type BarChart struct {
	// ID prefixes the element IDs of the chart; unique on the page, made of
	// letters, digits and hyphens.
	ID     string
	Title  string // the chart's accessible name and heading
	Desc   string // a sentence summing it up for screen readers
	XLabel string // the x axis title, also the first column of the table
	YLabel string // the y axis title
	Series []ChartSeries
	Bars   []Bar
	// TotalLabel heads the table's total column (shown with several series).
	TotalLabel string
	// TableLabel is the summary that opens the data table.
	TableLabel string
	// EmptyText is shown in the plot when every value is zero.
	EmptyText string
}

// HBar is one row of an HBarChart.
type HBar struct {
	Label     string // left of the bar; long labels are shortened in the SVG
	Value     int
	ValueText string // right of the bar, e.g. "12 days left"; empty means the number
	Series    int    // the index of the pattern/colour to draw it with
	// Cells are extra table columns for this row (see HBarChart.Columns).
	Cells []string
}

// HBarChart is a horizontal bar chart: one labelled bar per row against a
// common scale, e.g. days left of a 20-day cure period.
type HBarChart struct {
	ID     string
	Title  string
	Desc   string
	XLabel string // the scale's title, under the axis
	// LabelHeader and ValueHeader head the table's first two columns.
	LabelHeader string
	ValueHeader string
	// Columns head extra table columns, filled from each row's Cells.
	Columns []string
	// Max is the end of the scale; 0 means the largest value.
	Max  int
	Rows []HBar
	// Series name the patterns used by the rows, for the legend; none means
	// no legend (a single-series chart is named by its title).
	Series     []ChartSeries
	TableLabel string
	EmptyText  string
}

// swatch is how one series is drawn: a colour and a pattern over it. The
// colours reach at least 3:1 against white (WCAG 1.4.11) and the patterns
// differ in shape, so the series stay apart in greyscale and print.
type swatch struct {
	Fill    string
	Pattern string // "solid", "hatch", "cross", "dots", "hlines", "vlines"
}

var swatches = []swatch{
	{"#1e7b3c", "solid"},
	{"#a35f00", "hatch"},
	{"#b3261e", "cross"},
	{"#55606a", "dots"},
	{"#6a3d9a", "hlines"},
	{"#0b4f8a", "vlines"},
}

// swatchOf returns the swatch of series i.
func swatchOf(i int) swatch { return swatches[((i%len(swatches))+len(swatches))%len(swatches)] }

// Geometry of the charts, in SVG user units.
const (
	chartWidth   = 600.0
	legendCols   = 3
	legendRow    = 22.0
	plotLeft     = 52.0
	plotRight    = 12.0
	barPlotH     = 200.0
	hbarRowH     = 30.0
	hbarLabelW   = 210.0
	hbarValueW   = 120.0
	maxLabelRune = 24
)

// chartFuncs are the helpers the chart templates use.
var chartFuncs = template.FuncMap{
	"f": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
}

// chartTmpl draws both kinds of chart. Patterns are defined per chart, with
// the chart's ID in their IDs, so several charts share a page safely.
var chartTmpl = template.Must(template.New("chart").Funcs(chartFuncs).Parse(`
{{- define "defs"}}<defs>{{range $i, $s := .}}<pattern id="{{$s.ID}}" width="8" height="8" patternUnits="userSpaceOnUse"{{if or (eq $s.Pattern "hatch") (eq $s.Pattern "cross")}} patternTransform="rotate(45)"{{end}}><rect width="8" height="8" fill="{{$s.Fill}}"/>
{{- if eq $s.Pattern "hatch"}}<rect width="3" height="8" fill="#ffffff"/>
{{- else if eq $s.Pattern "cross"}}<rect width="2" height="8" fill="#ffffff"/><rect width="8" height="2" fill="#ffffff"/>
{{- else if eq $s.Pattern "dots"}}<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>
{{- else if eq $s.Pattern "hlines"}}<rect width="8" height="2" y="3" fill="#ffffff"/>
{{- else if eq $s.Pattern "vlines"}}<rect width="2" height="8" x="3" fill="#ffffff"/>
{{- end}}</pattern>{{end}}</defs>{{end}}

{{- define "legend"}}{{range .}}<g class="legend-item"><rect x="{{f .X}}" y="{{f .Y}}" width="16" height="16" fill="url(#{{.PatternID}})" stroke="#1a1a1a" stroke-width="1"/><text x="{{f .TextX}}" y="{{f .TextY}}">{{.Label}}</text></g>{{end}}{{end}}

{{- define "bars"}}<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {{f .W}} {{f .H}}" width="{{f .W}}" height="{{f .H}}" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" preserveAspectRatio="xMinYMin meet">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{template "defs" .Defs}}
{{template "legend" .Legend}}
<g class="axis">{{range .Ticks}}<line x1="{{f $.Left}}" x2="{{f $.Right}}" y1="{{f .Y}}" y2="{{f .Y}}" stroke="#c4ccd4" stroke-width="1"/><text class="tick" x="{{f .TextX}}" y="{{f .TextY}}" text-anchor="end">{{.Text}}</text>{{end}}
<line x1="{{f .Left}}" x2="{{f .Right}}" y1="{{f .Bottom}}" y2="{{f .Bottom}}" stroke="#1a1a1a" stroke-width="1.5"/>
<line x1="{{f .Left}}" x2="{{f .Left}}" y1="{{f .Top}}" y2="{{f .Bottom}}" stroke="#1a1a1a" stroke-width="1.5"/>
<text class="axis-title" x="{{f .XTitleX}}" y="{{f .XTitleY}}" text-anchor="middle">{{.XLabel}}</text>
<text class="axis-title" x="{{f .YTitleX}}" y="{{f .YTitleY}}" text-anchor="middle" transform="rotate(-90 {{f .YTitleX}} {{f .YTitleY}})">{{.YLabel}}</text></g>
{{range .Bars}}<g class="bar-group"><title>{{.Tooltip}}</title>{{range .Segs}}<rect class="bar" x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" data-value="{{.Value}}" data-series="{{.Series}}" fill="url(#{{.PatternID}})" stroke="#1a1a1a" stroke-width="0.75"/>{{end}}{{if .Total}}<text class="bar-total" x="{{f .CX}}" y="{{f .TotalY}}" text-anchor="middle">{{.Total}}</text>{{end}}<text class="bar-label" x="{{f .CX}}" y="{{f .LabelY}}" text-anchor="middle">{{.Label}}</text>{{if .Sub}}<text class="bar-label" x="{{f .CX}}" y="{{f .SubY}}" text-anchor="middle">{{.Sub}}</text>{{end}}</g>
{{end}}{{if .Empty}}<text class="chart-empty" x="{{f .EmptyX}}" y="{{f .EmptyY}}" text-anchor="middle">{{.EmptyText}}</text>{{end}}
</svg>{{end}}

{{- define "hbars"}}<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {{f .W}} {{f .H}}" width="{{f .W}}" height="{{f .H}}" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" preserveAspectRatio="xMinYMin meet">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{template "defs" .Defs}}
{{template "legend" .Legend}}
<g class="axis">{{range .Ticks}}<line x1="{{f .X}}" x2="{{f .X}}" y1="{{f $.Top}}" y2="{{f $.Bottom}}" stroke="#c4ccd4" stroke-width="1"/><text class="tick" x="{{f .X}}" y="{{f .TextY}}" text-anchor="middle">{{.Text}}</text>{{end}}
<line x1="{{f .Left}}" x2="{{f .Left}}" y1="{{f .Top}}" y2="{{f .Bottom}}" stroke="#1a1a1a" stroke-width="1.5"/>
<line x1="{{f .Left}}" x2="{{f .Right}}" y1="{{f .Bottom}}" y2="{{f .Bottom}}" stroke="#1a1a1a" stroke-width="1.5"/>
<text class="axis-title" x="{{f .XTitleX}}" y="{{f .XTitleY}}" text-anchor="middle">{{.XLabel}}</text></g>
{{range .Rows}}<g class="bar-group"><title>{{.Tooltip}}</title><text class="bar-label" x="{{f .LabelX}}" y="{{f .TextY}}" text-anchor="end">{{.Label}}</text>{{if .W}}<rect class="bar" x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" data-value="{{.Value}}" data-series="{{.Series}}" fill="url(#{{.PatternID}})" stroke="#1a1a1a" stroke-width="0.75"/>{{else}}<rect class="bar" x="{{f .X}}" y="{{f .Y}}" width="0" height="{{f .H}}" data-value="{{.Value}}" data-series="{{.Series}}" fill="none"/>{{end}}<text class="bar-value" x="{{f .ValueX}}" y="{{f .TextY}}">{{.ValueText}}</text></g>
{{end}}{{if .Empty}}<text class="chart-empty" x="{{f .EmptyX}}" y="{{f .EmptyY}}" text-anchor="middle">{{.EmptyText}}</text>{{end}}
</svg>{{end}}

{{- define "barfigure"}}<figure class="chart-figure" aria-labelledby="{{.ID}}-caption">
<figcaption id="{{.ID}}-caption">{{.Title}}</figcaption>
<div class="chart-scroll">{{.SVG}}</div>
<details class="chart-data"><summary>{{.TableLabel}}</summary>
<div class="table-scroll" tabindex="0" role="region" aria-label="{{.TableLabel}}"><table><caption>{{.Title}}</caption>
<thead><tr><th scope="col">{{.XLabel}}</th>{{range .Series}}<th scope="col">{{.Label}}</th>{{end}}{{if .Stacked}}<th scope="col">{{.TotalLabel}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><th scope="row">{{.Name}}</th>{{range .Values}}<td>{{.}}</td>{{end}}{{if $.Stacked}}<td>{{.Total}}</td>{{end}}</tr>{{else}}<tr><td colspan="{{.Cols}}">{{.EmptyText}}</td></tr>{{end}}</tbody>
</table></div></details>
</figure>{{end}}

{{- define "hbarfigure"}}<figure class="chart-figure" aria-labelledby="{{.ID}}-caption">
<figcaption id="{{.ID}}-caption">{{.Title}}</figcaption>
<div class="chart-scroll">{{.SVG}}</div>
<details class="chart-data"><summary>{{.TableLabel}}</summary>
<div class="table-scroll" tabindex="0" role="region" aria-label="{{.TableLabel}}"><table><caption>{{.Title}}</caption>
<thead><tr><th scope="col">{{.LabelHeader}}</th><th scope="col">{{.ValueHeader}}</th>{{range .Columns}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><th scope="row">{{.Label}}</th><td>{{.ValueText}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>{{else}}<tr><td colspan="{{.Cols}}">{{.EmptyText}}</td></tr>{{end}}</tbody>
</table></div></details>
</figure>{{end}}
`))

// Laid-out parts the templates draw.
type (
	chartDef    struct{ ID, Fill, Pattern string }
	legendEntry struct {
		X, Y, TextX, TextY float64
		PatternID, Label   string
	}
	yTick struct {
		Y, TextX, TextY float64
		Text            string
	}
	xTick struct {
		X, TextY float64
		Text     string
	}
	barSeg struct {
		X, Y, W, H    float64
		Value, Series int
		PatternID     string
	}
	barLayout struct {
		CX, TotalY, LabelY, SubY float64
		Label, Sub, Tooltip      string
		Total                    int
		Segs                     []barSeg
	}
	hbarLayout struct {
		LabelX, ValueX, TextY, X, Y, W, H float64
		Label, ValueText, Tooltip         string
		PatternID                         string
		Value, Series                     int
	}
)

// defsOf lays out the patterns of n series for chart id.
func defsOf(id string, n int) []chartDef {
	defs := make([]chartDef, n)
	for i := range defs {
		s := swatchOf(i)
		defs[i] = chartDef{ID: patternID(id, i), Fill: s.Fill, Pattern: s.Pattern}
	}
	return defs
}

func patternID(chartID string, i int) string { return chartID + "-p" + strconv.Itoa(i) }

// legendOf lays the legend out in rows of legendCols from the top.
func legendOf(id string, series []ChartSeries) ([]legendEntry, float64) {
	var out []legendEntry
	colW := (chartWidth - 16) / legendCols
	for i, s := range series {
		row, col := i/legendCols, i%legendCols
		x := 8 + float64(col)*colW
		y := 6 + float64(row)*legendRow
		out = append(out, legendEntry{X: x, Y: y, TextX: x + 22, TextY: y + 13, PatternID: patternID(id, i), Label: shorten(s.Label, maxLabelRune)})
	}
	rows := (len(series) + legendCols - 1) / legendCols
	return out, float64(rows) * legendRow
}

// niceScale returns the end of a scale that holds max and its tick step:
// 1, 2 or 5 times a power of ten, with at most five steps.
func niceScale(max int) (end, step int) {
	if max <= 0 {
		return 1, 1
	}
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			step = m * mag
			if (max+step-1)/step <= 5 {
				return step * ((max + step - 1) / step), step
			}
		}
		if mag > math.MaxInt/100 {
			return max, max
		}
	}
}

// shorten cuts s to n characters, ending it with an ellipsis when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// executeChart runs one of the chart templates.
func executeChart(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := chartTmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("web: chart %s: %w", name, err)
	}
	// The output is html/template's, escaped in context: safe to embed.
	return template.HTML(buf.String()), nil
}

// SVG draws the chart as an inline <svg> element.
func (c BarChart) SVG() (template.HTML, error) {
	defs := defsOf(c.ID, len(c.Series))
	legend, legendH := legendOf(c.ID, c.Series)
	if len(c.Series) <= 1 {
		legend, legendH = nil, 0 // one series is named by the axis title
	}
	top := legendH + 22 // room for the totals above the tallest bar
	bottom := top + barPlotH
	right := chartWidth - plotRight
	maxTotal := 0
	for _, b := range c.Bars {
		maxTotal = max(maxTotal, sum(b.Values))
	}
	end, step := niceScale(maxTotal)
	scale := barPlotH / float64(end)
	var ticks []yTick
	for v := 0; v <= end; v += step {
		y := bottom - float64(v)*scale
		ticks = append(ticks, yTick{Y: y, TextX: plotLeft - 6, TextY: y + 4, Text: strconv.Itoa(v)})
	}
	var bars []barLayout
	if n := len(c.Bars); n > 0 {
		slot := (right - plotLeft) / float64(n)
		w := slot * 0.62
		for i, b := range c.Bars {
			cx := plotLeft + slot*(float64(i)+0.5)
			bl := barLayout{CX: cx, LabelY: bottom + 16, SubY: bottom + 30, Label: b.Label, Sub: b.Sub, Tooltip: barTooltip(b, c.Series)}
			y := bottom
			for j, v := range b.Values {
				if v <= 0 || j >= len(c.Series) {
					continue
				}
				h := float64(v) * scale
				y -= h
				bl.Segs = append(bl.Segs, barSeg{X: cx - w/2, Y: y, W: w, H: h, Value: v, Series: j, PatternID: patternID(c.ID, j)})
				bl.Total += v
			}
			bl.TotalY = y - 5
			bars = append(bars, bl)
		}
	}
	data := struct {
		BarChart
		W, H, Left, Right, Top, Bottom float64
		XTitleX, XTitleY               float64
		YTitleX, YTitleY               float64
		EmptyX, EmptyY                 float64
		Defs                           []chartDef
		Legend                         []legendEntry
		Ticks                          []yTick
		Bars                           []barLayout
		Empty                          bool
	}{
		BarChart: c, W: chartWidth, H: bottom + 62, Left: plotLeft, Right: right, Top: top, Bottom: bottom,
		XTitleX: (plotLeft + right) / 2, XTitleY: bottom + 52, YTitleX: 14, YTitleY: (top + bottom) / 2,
		EmptyX: (plotLeft + right) / 2, EmptyY: (top + bottom) / 2,
		Defs: defs, Legend: legend, Ticks: ticks, Bars: bars, Empty: maxTotal == 0,
	}
	return executeChart("bars", data)
}

// barTooltip names a bar and its values: "March 2026: Active 3, Suspended 1".
func barTooltip(b Bar, series []ChartSeries) string {
	s := b.name() + ":"
	for i, v := range b.Values {
		if i < len(series) {
			if i > 0 {
				s += ","
			}
			s += " " + series[i].Label + " " + strconv.Itoa(v)
		}
	}
	return s
}

func (b Bar) name() string {
	if b.Name != "" {
		return b.Name
	}
	return b.Label
}

func sum(vs []int) int {
	t := 0
	for _, v := range vs {
		if v > 0 {
			t += v
		}
	}
	return t
}

// HTML draws the chart in a <figure> with its caption and, below it, a
// data table of the same numbers.
func (c BarChart) HTML() (template.HTML, error) {
	svg, err := c.SVG()
	if err != nil {
		return "", err
	}
	type row struct {
		Name   string
		Values []int
		Total  int
	}
	var rows []row
	for _, b := range c.Bars {
		vals := make([]int, len(c.Series))
		copy(vals, b.Values)
		rows = append(rows, row{Name: b.name(), Values: vals, Total: sum(vals)})
	}
	stacked := len(c.Series) > 1
	cols := 1 + len(c.Series)
	if stacked {
		cols++
	}
	return executeChart("barfigure", struct {
		BarChart
		SVG     template.HTML
		Rows    []row
		Stacked bool
		Cols    int
	}{c, svg, rows, stacked, cols})
}

// SVG draws the chart as an inline <svg> element.
func (c HBarChart) SVG() (template.HTML, error) {
	defs := defsOf(c.ID, max(len(c.Series), 1+maxSeries(c.Rows)))
	legend, legendH := legendOf(c.ID, c.Series)
	top := legendH + 10
	if legendH == 0 {
		top = 10
	}
	rows := len(c.Rows)
	bottom := top + float64(max(rows, 1))*hbarRowH
	left := hbarLabelW
	right := chartWidth - hbarValueW
	maxVal := c.Max
	if maxVal <= 0 {
		for _, r := range c.Rows {
			maxVal = max(maxVal, r.Value)
		}
	}
	end, step := niceScale(maxVal)
	if c.Max > 0 {
		end = c.Max
		_, step = niceScale(c.Max)
	}
	scale := (right - left) / float64(end)
	var ticks []xTick
	for v := 0; v <= end; v += step {
		ticks = append(ticks, xTick{X: left + float64(v)*scale, TextY: bottom + 16, Text: strconv.Itoa(v)})
	}
	var out []hbarLayout
	for i, r := range c.Rows {
		y := top + float64(i)*hbarRowH
		v := min(max(r.Value, 0), end)
		w := float64(v) * scale
		text := r.ValueText
		if text == "" {
			text = strconv.Itoa(r.Value)
		}
		out = append(out, hbarLayout{LabelX: left - 8, ValueX: left + w + 6, TextY: y + hbarRowH/2 + 5, X: left, Y: y + 6, W: w, H: hbarRowH - 12,
			Label: shorten(r.Label, maxLabelRune), ValueText: text, Tooltip: r.Label + ": " + text, PatternID: patternID(c.ID, max(r.Series, 0)), Value: r.Value, Series: r.Series})
	}
	data := struct {
		HBarChart
		W, H, Left, Right, Top, Bottom float64
		XTitleX, XTitleY               float64
		EmptyX, EmptyY                 float64
		Defs                           []chartDef
		Legend                         []legendEntry
		Ticks                          []xTick
		Rows                           []hbarLayout
		Empty                          bool
	}{
		HBarChart: c, W: chartWidth, H: bottom + 46, Left: left, Right: right, Top: top, Bottom: bottom,
		XTitleX: (left + right) / 2, XTitleY: bottom + 36, EmptyX: (left + right) / 2, EmptyY: top + hbarRowH/2 + 5,
		Defs: defs, Legend: legend, Ticks: ticks, Rows: out, Empty: rows == 0,
	}
	return executeChart("hbars", data)
}

func maxSeries(rows []HBar) int {
	m := 0
	for _, r := range rows {
		m = max(m, r.Series)
	}
	return m
}

// HTML draws the chart in a <figure> with its caption and a data table.
func (c HBarChart) HTML() (template.HTML, error) {
	svg, err := c.SVG()
	if err != nil {
		return "", err
	}
	type row struct {
		Label, ValueText string
		Cells            []string
	}
	var rows []row
	for _, r := range c.Rows {
		text := r.ValueText
		if text == "" {
			text = strconv.Itoa(r.Value)
		}
		cells := make([]string, len(c.Columns))
		copy(cells, r.Cells)
		rows = append(rows, row{Label: r.Label, ValueText: text, Cells: cells})
	}
	return executeChart("hbarfigure", struct {
		HBarChart
		SVG  template.HTML
		Rows []row
		Cols int
	}{c, svg, rows, 2 + len(c.Columns)})
}
