package web

import (
	"net/http"

	"trustmark/internal/criteria"
)

// catalogsPage is the data of catalogs.html.
type catalogsPage struct {
	page
	Catalogs []criteria.CatalogInfo
	Mappings []criteria.MappingInfo
}

// catalogPage is the data of catalog.html.
type catalogPage struct {
	page
	Catalog *criteria.Catalog
	ByID    map[string]criteria.Requirement
}

// mappedTo is one relation of a requirement to another catalog.
type mappedTo struct {
	Catalog      string
	Relationship criteria.Relationship
	Targets      []string
	Rationale    string
	Status       string
}

// requirementPage is the data of requirement.html.
type requirementPage struct {
	page
	Catalog     *criteria.Catalog
	Requirement criteria.Requirement
	Mapped      []mappedTo
}

// handleCatalogsPage answers GET /catalogs (anyone): the criteria catalogs.
func (s *Server) handleCatalogsPage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, "catalogs.html", catalogsPage{page: s.newPage(r, "catalogs.title"),
		Catalogs: s.criteria.Catalogs(), Mappings: s.criteria.Mappings()})
}

// handleCatalogPage answers GET /catalogs/{id} (anyone): one catalog's requirements.
func (s *Server) handleCatalogPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.criteria.Catalog(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, criteriaError(err))
		return
	}
	byID := map[string]criteria.Requirement{}
	for _, req := range c.Requirements {
		byID[req.ID] = req
	}
	s.servePage(w, r, "catalog.html", catalogPage{page: s.newPage(r, "%s", c.Info.Title), Catalog: c, ByID: byID})
}

// handleRequirementPage answers GET /catalogs/{id}/{req} (anyone): one
// requirement and what it maps to in the other catalogs.
func (s *Server) handleRequirementPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.criteria.Catalog(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, criteriaError(err))
		return
	}
	req, err := s.criteria.Requirement(c.Info.ID, r.PathValue("req"))
	if err != nil {
		s.pageError(w, r, criteriaError(err))
		return
	}
	p := requirementPage{page: s.newPage(r, "%s %s", c.Info.ShortTitle, req.ID), Catalog: c, Requirement: req}
	for _, info := range s.criteria.Mappings() {
		other := ""
		switch c.Info.ID {
		case info.From:
			other = info.To
		case info.To:
			other = info.From
		default:
			continue
		}
		m, err := s.criteria.Mapping(c.Info.ID, other)
		if err != nil {
			continue
		}
		for _, e := range m.Maps {
			if e.Source == req.ID {
				p.Mapped = append(p.Mapped, mappedTo{Catalog: other, Relationship: e.Relationship, Targets: e.Targets,
					Rationale: e.Rationale, Status: e.Provenance.Status})
			}
		}
	}
	s.servePage(w, r, "requirement.html", p)
}

// servePage renders a page that depends only on embedded data, with an ETag.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, tmpl string, data any) {
	b, err := s.renderBytes(tmpl, data)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Vary", "Accept-Language")
	serveBody(w, r, newBody(b), "text/html; charset=utf-8", "public, max-age=3600")
}
