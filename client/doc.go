// Package client is a Go client of the trustmark JSON API (/api/v1), the
// one the trustmark command line and the end-to-end tests use.
//
// A Client holds the server's base URL and, optionally, an API token; every
// method takes a context first and makes one request. Results are the
// domain types of package trustmark (Organization, Application, Grant,
// RegistryRecord…) where they exist; the few shapes the server defines
// elsewhere (ApplicationInput, PlanInput, Directory, GrantView, the
// criteria evaluation types, SBOMUpload and Findings of vulnerability
// monitoring, UserInput for portal users) are declared here with the same
// JSON.
//
// Every failure the server reports is an *Error carrying the HTTP status
// and the API's error code, message and offending field; IsNotFound,
// IsForbidden and the other Is functions test for a kind. Response bodies
// are read up to a cap (WithMaxResponseBytes), so a misbehaving server
// cannot exhaust the caller's memory.
//
// A manufacturer filing an application:
//
//	c, err := client.New("https://labels.example.org", os.Getenv("TRUSTMARK_TOKEN"))
//	if err != nil {
//		return err
//	}
//	app, err := c.CreateApplication(ctx, client.ApplicationInput{
//		ProductID: productID, CLAID: claID, LabID: labID,
//		USAgent: &agent, Disclosures: &disclosures,
//	})
//	if err != nil {
//		return err
//	}
//	if _, err := c.SignDeclarations(ctx, app.ID, client.AllDeclarations()...); err != nil {
//		return err
//	}
//	app, err = c.Submit(ctx, app.ID)
//	if client.IsRuleViolation(err) {
//		// the application is incomplete; err says what is missing
//	}
package client
