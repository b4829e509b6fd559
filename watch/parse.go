package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Detect tells the format of a webhook body from its shape: an object with an "events"
// array is a distribution notification, one with "push_data" a Docker Hub webhook, and one
// with "action" and "target" an ACR webhook. Anything else is a *FormatError.
func Detect(body []byte) (Format, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "", &FormatError{Err: syntaxError(err)}
	}
	_, events := top["events"]
	_, pushData := top["push_data"]
	_, action := top["action"]
	_, target := top["target"]
	switch {
	case events:
		return Distribution, nil
	case pushData:
		return DockerHub, nil
	case action && target:
		return ACR, nil
	}
	return "", &FormatError{Err: errors.New(`no "events", "push_data" or "action" and "target" field`)}
}

// Parse parses a webhook body of the given format, or of the format Detect finds when format
// is empty, into events. Every event of the body is returned, pushes or not; see
// Event.IsTagPush. A body that does not have the format's shape is a *FormatError.
func Parse(format Format, body []byte) ([]Event, error) {
	if format == "" {
		var err error
		if format, err = Detect(body); err != nil {
			return nil, err
		}
	}
	var (
		events []Event
		err    error
	)
	switch format {
	case Distribution:
		events, err = parseDistribution(body)
	case DockerHub:
		events, err = parseDockerHub(body)
	case ACR:
		events, err = parseACR(body)
	default:
		return nil, fmt.Errorf("unknown webhook format %q", format)
	}
	if err != nil {
		return nil, &FormatError{Format: format, Err: err}
	}
	for i := range events {
		events[i].Format = format
		events[i].Host = normalizeHost(events[i].Host)
	}
	return events, nil
}

// decodeObject decodes a JSON object into v, refusing anything after it.
func decodeObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return syntaxError(err)
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// syntaxError shortens encoding/json errors to what a sender can act on.
func syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("field %s: JSON %s where %s was expected", te.Field, te.Value, jsonKind(te.Type))
		}
		return fmt.Errorf("JSON %s where an object was expected", te.Value)
	}
	return err
}

// jsonKind names, in JSON's words, what a value decoded into t must be: a sender knows
// objects and strings, not the Go types behind them.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}

// parseTime reads an RFC 3339 time, giving the zero time for anything else: a timestamp
// only helps tell deliveries apart and is never a reason to refuse an event.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
