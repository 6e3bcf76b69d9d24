package atomicx

import (
	"encoding/json"
	"expvar"
	"math"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Each cell type is an expvar.Var.
var (
	_ expvar.Var = (*Int[int64])(nil)
	_ expvar.Var = (*Int[uint8])(nil)
	_ expvar.Var = (*Float[float32])(nil)
	_ expvar.Var = (*Counter)(nil)
)

var (
	published                sync.Once
	pubInt                   Int[int64]
	pubUint                  Int[uint64]
	pubDur                   Int[time.Duration]
	pubFloat, pubNaN, pubInf Float[float64]
	pubFloat32               Float[float32]
	pubCounter               Counter
)

// TestExpvarPublish publishes one of each cell and checks that expvar's
// /debug/vars handler serves valid JSON holding their values.
func TestExpvarPublish(t *testing.T) {
	published.Do(func() { // expvar.Publish panics on a second use of a name
		expvar.Publish("atomicx_test_int", &pubInt)
		expvar.Publish("atomicx_test_uint", &pubUint)
		expvar.Publish("atomicx_test_duration", &pubDur)
		expvar.Publish("atomicx_test_float", &pubFloat)
		expvar.Publish("atomicx_test_nan", &pubNaN)
		expvar.Publish("atomicx_test_inf", &pubInf)
		expvar.Publish("atomicx_test_float32", &pubFloat32)
		expvar.Publish("atomicx_test_counter", &pubCounter)
	})
	pubInt.Store(math.MinInt64)
	pubUint.Store(math.MaxUint64)
	pubDur.Store(1500 * time.Microsecond)
	pubFloat.Store(math.Copysign(0, -1))
	pubNaN.Store(math.NaN())
	pubInf.Store(math.Inf(-1))
	pubFloat32.Store(0.1)
	pubCounter.Drain()
	pubCounter.Add(41)
	pubCounter.Inc()

	rec := httptest.NewRecorder()
	expvar.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/vars", nil))
	body := rec.Body.Bytes()
	if !json.Valid(body) {
		t.Fatalf("/debug/vars is not valid JSON:\n%s", body)
	}
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(body, &vars); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"atomicx_test_int":      "-9223372036854775808",
		"atomicx_test_uint":     "18446744073709551615",
		"atomicx_test_duration": "1500000",
		"atomicx_test_float":    "-0",
		"atomicx_test_nan":      `"NaN"`,
		"atomicx_test_inf":      `"-Inf"`,
		"atomicx_test_float32":  "0.1",
		"atomicx_test_counter":  "42",
	}
	for name, w := range want {
		if got := string(vars[name]); got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
}

// TestStringIsJSON: for any value, String is valid JSON that decodes back to
// the value (floats bit for bit, NaN and ±Inf as their named strings).
func TestStringIsJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var i Int[int64]
		iv := rapid.Int64().Draw(t, "int")
		i.Store(iv)
		var u Int[uint32]
		uv := rapid.Uint32().Draw(t, "uint")
		u.Store(uv)
		var c Counter
		c.Add(iv)
		for _, s := range []string{i.String(), c.String()} {
			var got int64
			if err := json.Unmarshal([]byte(s), &got); err != nil || got != iv {
				t.Fatalf("String() = %q for %d: decodes to %d, %v", s, iv, got, err)
			}
		}
		if s := u.String(); s != strconv.FormatUint(uint64(uv), 10) {
			t.Fatalf("Int[uint32].String() = %q for %d", s, uv)
		}
		checkFloatJSON[float64](t, math.Float64frombits(rapid.Uint64().Draw(t, "f64")))
		checkFloatJSON[float32](t, math.Float32frombits(rapid.Uint32().Draw(t, "f32")))
	})
}

func checkFloatJSON[T Floating](t *rapid.T, v T) {
	var f Float[T]
	f.Store(v)
	s := f.String()
	if !json.Valid([]byte(s)) {
		t.Fatalf("Float[%T].String() = %q for bits %#x: not JSON", v, s, toBits(v))
	}
	var named string
	if json.Unmarshal([]byte(s), &named) == nil {
		ok := named == "NaN" && v != v ||
			named == "+Inf" && math.IsInf(float64(v), 1) ||
			named == "-Inf" && math.IsInf(float64(v), -1)
		if !ok {
			t.Fatalf("Float[%T].String() = %q for %v", v, s, v)
		}
		return
	}
	var got float64
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("Float[%T].String() = %q: %v", v, s, err)
	}
	if toBits(T(got)) != toBits(v) {
		t.Fatalf("Float[%T].String() = %q decodes to %v, want %v", v, s, T(got), v)
	}
}
