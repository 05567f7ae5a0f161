package bundle

import "encoding/json"

// jsonUnmarshal is json.Unmarshal; one name to find every decode of
// untrusted bytes in this package.
func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
