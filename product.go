package trustmark

import "time"

// ProductClass is the kind of consumer IoT product. The Lead Administrator
// recommends standards, test procedures and renewal per class (8.221(a)(4)).
type ProductClass string

// The product classes the program knows.
const (
	ClassCamera        ProductClass = "camera"         // security and indoor cameras, video doorbells
	ClassSmartSpeaker  ProductClass = "smart_speaker"  // voice assistants and speakers
	ClassRouter        ProductClass = "router"         // home routers and mesh systems (NIST IR 8425A)
	ClassThermostat    ProductClass = "thermostat"     // climate control
	ClassLock          ProductClass = "lock"           // door locks and access control
	ClassLighting      ProductClass = "lighting"       // bulbs, switches, dimmers
	ClassPlug          ProductClass = "plug"           // smart plugs and outlets
	ClassAppliance     ProductClass = "appliance"      // large and small home appliances
	ClassSensor        ProductClass = "sensor"         // motion, contact, leak, smoke and air sensors
	ClassHub           ProductClass = "hub"            // home automation hubs and bridges
	ClassWearable      ProductClass = "wearable"       // fitness trackers and smart watches
	ClassBabyMonitor   ProductClass = "baby_monitor"   // baby and pet monitors
	ClassTV            ProductClass = "tv"             // smart TVs and streaming devices
	ClassFitnessDevice ProductClass = "fitness_device" // connected exercise equipment
	ClassOther         ProductClass = "other"          // anything else in scope
)

// ProductClasses lists every product class.
var ProductClasses = []ProductClass{
	ClassCamera, ClassSmartSpeaker, ClassRouter, ClassThermostat, ClassLock, ClassLighting,
	ClassPlug, ClassAppliance, ClassSensor, ClassHub, ClassWearable, ClassBabyMonitor,
	ClassTV, ClassFitnessDevice, ClassOther,
}

// Valid reports whether c is a known class.
func (c ProductClass) Valid() bool {
	for _, v := range ProductClasses {
		if c == v {
			return true
		}
	}
	return false
}

// ComponentKind is one of the product components NIST IR 8425 names: the IoT
// device itself, a hub or gateway, a companion app and a cloud backend.
type ComponentKind string

// The component kinds.
const (
	ComponentDevice ComponentKind = "device"
	ComponentHub    ComponentKind = "hub"
	ComponentApp    ComponentKind = "app"
	ComponentCloud  ComponentKind = "cloud"
)

// Component is one part of an IoT product (8.203 "IoT Product").
type Component struct {
	Kind    ComponentKind `json:"kind"`
	Name    string        `json:"name"`
	Version string        `json:"version,omitempty"`
}

// Product is an IoT product as a manufacturer markets it: the device plus the
// components needed to use it.
type Product struct {
	ID              string       `json:"id"`
	ManufacturerID  string       `json:"manufacturer_id"`
	Name            string       `json:"name"`
	ModelNumbers    []string     `json:"model_numbers"`
	HardwareVersion string       `json:"hardware_version,omitempty"`
	SoftwareVersion string       `json:"software_version,omitempty"`
	Class           ProductClass `json:"class"`
	Components      []Component  `json:"components"`
	CreatedAt       time.Time    `json:"created_at"`
}

// Validate checks the product's fields. ID and CreatedAt are assigned by the store.
func (p *Product) Validate() error {
	if p.ManufacturerID == "" {
		return FieldError("manufacturer_id", "is required")
	}
	if err := checkText("name", p.Name, 1, maxName); err != nil {
		return err
	}
	if len(p.ModelNumbers) == 0 {
		return FieldError("model_numbers", "needs at least one model number")
	}
	if len(p.ModelNumbers) > 50 {
		return FieldError("model_numbers", "has %d entries; at most 50 are allowed", len(p.ModelNumbers))
	}
	seen := map[string]bool{}
	for _, m := range p.ModelNumbers {
		if err := checkText("model_numbers", m, 1, maxShort); err != nil {
			return err
		}
		if seen[m] {
			return FieldError("model_numbers", "lists %q twice", m)
		}
		seen[m] = true
	}
	if err := checkText("hardware_version", p.HardwareVersion, 0, maxShort); err != nil {
		return err
	}
	if err := checkText("software_version", p.SoftwareVersion, 0, maxShort); err != nil {
		return err
	}
	if !p.Class.Valid() {
		return FieldError("class", "%q is not a product class; use one of camera, smart_speaker, router, thermostat, lock, lighting, plug, appliance, sensor, hub, wearable, baby_monitor, tv, fitness_device, other", truncate(string(p.Class), 40))
	}
	devices := 0
	if len(p.Components) > 20 {
		return FieldError("components", "has %d entries; at most 20 are allowed", len(p.Components))
	}
	for _, c := range p.Components {
		switch c.Kind {
		case ComponentDevice:
			devices++
		case ComponentHub, ComponentApp, ComponentCloud:
		default:
			return FieldError("components", "kind %q is not one of device, hub, app, cloud", truncate(string(c.Kind), 40))
		}
		if err := checkText("components", c.Name, 1, maxName); err != nil {
			return err
		}
		if err := checkText("components", c.Version, 0, maxShort); err != nil {
			return err
		}
	}
	if devices == 0 {
		return FieldError("components", "needs at least one component of kind device (the IoT device itself)")
	}
	return nil
}
