package config

import (
	"strings"
	"testing"
)

func TestHTTPAuthValidation(t *testing.T) {
	tests := []struct {
		name string
		http string   // the http section
		want []string // substrings of the error; none = valid
	}{
		{"loopback without auth", "http: {listen: \"127.0.0.1:8080\"}", nil},
		{"localhost without auth", "http: {listen: \"localhost:8080\"}", nil},
		{"IPv6 loopback without auth", "http: {listen: \"[::1]:8080\"}", nil},
		{"off", "http: {listen: \"off\"}", nil},
		{"every interface without auth", "http: {listen: \":8080\"}", []string{`http.listen: ":8080" is reachable from the network, which needs http.auth`}},
		{"0.0.0.0 without auth", "http: {listen: \"0.0.0.0:8080\"}", []string{`http.listen: "0.0.0.0:8080"`, "http.auth"}},
		{"LAN address without auth", "http: {listen: \"192.168.1.20:8080\"}", []string{`http.listen: "192.168.1.20:8080"`}},
		{"LAN with basic auth from a file", "http:\n  listen: \"0.0.0.0:8080\"\n  auth: {user: viewer, password_file: /etc/fovea/http.password}", nil},
		{"LAN with basic auth from the environment", "http:\n  listen: \"0.0.0.0:8080\"\n  auth: {user: viewer, password_env: FOVEA_HTTP_PASSWORD}", nil},
		{"LAN with a token and TLS", "http:\n  listen: \"0.0.0.0:8443\"\n  auth: {token_file: /etc/fovea/http.token}\n  tls: {cert: /etc/fovea/tls.crt, key: /etc/fovea/tls.key}", nil},
		{"user without password", "http:\n  listen: \"0.0.0.0:8080\"\n  auth: {user: viewer}", []string{"http.auth.user: set http.auth.password_file or http.auth.password_env"}},
		{"password without user", "http:\n  auth: {password_file: /p}", []string{"http.auth.user: a password is set but no user name"}},
		{"password twice", "http:\n  auth: {user: u, password_file: /p, password_env: P}", []string{"http.auth.password_file and http.auth.password_env: set one of them"}},
		{"token twice", "http:\n  auth: {token_file: /t, token_env: T}", []string{"http.auth.token_file and http.auth.token_env: set one of them"}},
		{"cert without key", "http:\n  tls: {cert: /c}", []string{"http.tls: set both cert and key"}},
		{"unknown auth key", "http:\n  auth: {password: secret}", []string{`http.auth.password: unknown key`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal + tt.http + "\n"))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Parse(%s) = %v; want nil", tt.http, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%s) = nil; want an error with %q", tt.http, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%s) = %v; want it to contain %q", tt.http, err, w)
				}
			}
		})
	}
}
