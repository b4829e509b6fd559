package jsonerr_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/jsonerr"
)

func TestWrap(t *testing.T) {
	t.Parallel()
	type doc struct {
		Name  string `json:"name"`
		Items []struct {
			N int `json:"n"`
		} `json:"items"`
	}
	tests := []struct {
		name, data, want string
		line, col        int
	}{
		{"syntax", "{\n  \"name\": x\n}", "f.json:2:11: invalid character 'x' looking for beginning of value", 2, 11},
		{"type", "{\"items\": [{\"n\": \"one\"}]}", "f.json:1:22: field items.n: cannot use JSON string as int", 1, 22},
		{"end of input", "{\"name\": \"a\"", "f.json:1:13: unexpected end of JSON input", 1, 13},
		{"end of input after a newline", "{\n", "f.json:2:1: unexpected end of JSON input", 2, 1},
		{"empty", "", "f.json:1:1: unexpected end of JSON input", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := jsonerr.Wrap("f.json", []byte(tc.data), json.Unmarshal([]byte(tc.data), &d))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var je *jsonerr.Error
			require.True(t, errors.As(err, &je))
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{je.Line, je.Column})
		})
	}
	assert.NoError(t, jsonerr.Wrap("f", nil, nil))
	other := errors.New("boom")
	err := jsonerr.Wrap("f.json", nil, other)
	assert.Equal(t, "f.json: boom", err.Error())
	assert.ErrorIs(t, err, other)
}

func TestPosition(t *testing.T) {
	t.Parallel()
	data := []byte("ab\ncd\n" + strings.Repeat("x", 5))
	for _, tc := range []struct {
		offset    int64
		line, col int
	}{{1, 1, 1}, {2, 1, 2}, {4, 2, 1}, {5, 2, 2}, {10, 3, 4}, {99, 3, 5}, {-1, 1, 1}} {
		line, col := jsonerr.Position(data, tc.offset)
		assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{line, col}, "offset %d", tc.offset)
	}
	line, col := jsonerr.PositionOf(data, 3)
	assert.Equal(t, [2]int{2, 1}, [2]int{line, col})
}

func TestPathAt(t *testing.T) {
	t.Parallel()
	data := []byte(`{"repos": [{"name": "a"}, {"name": "b", "images": [{"platforms": [{"os": "linux", "tags": {"8.0-x": {"docType": 7}}, "buildArgs": {"A": []}}]}]}]}`)
	at := func(s string) int64 { return int64(strings.Index(string(data), s) + len(s)) }
	assert.Equal(t, `repos[1].images[0].platforms[0].tags["8.0-x"].docType`, jsonerr.PathAt(data, at("7")))
	assert.Equal(t, `repos[1].images[0].platforms[0].os`, jsonerr.PathAt(data, at(`"linux"`)))
	assert.Equal(t, `repos[1].images[0].platforms[0].buildArgs.A`, jsonerr.PathAt(data, at(`[]`)-1))
	assert.Equal(t, `repos[0].name`, jsonerr.PathAt(data, at(`"a"`)))
	assert.Equal(t, ``, jsonerr.PathAt(data, 1))
}
