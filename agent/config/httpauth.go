package config

import (
	"fmt"
	"net"
	"net/netip"
)

// HTTPAuth names where the status server's credentials come from: HTTP
// basic auth (User with a password) or a bearer token, or both. Secrets
// are never written in the configuration: each comes from a file (first
// line) or an environment variable, read when the agent starts.
type HTTPAuth struct {
	// User is the basic-auth user name.
	User string `yaml:"user,omitempty" json:"user,omitempty"`
	// PasswordFile holds the basic-auth password.
	PasswordFile string `yaml:"password_file,omitempty" json:"password_file,omitempty"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"password_env,omitempty" json:"password_env,omitempty"`
	// TokenFile holds the bearer token (Authorization: Bearer TOKEN).
	TokenFile string `yaml:"token_file,omitempty" json:"token_file,omitempty"`
	// TokenEnv names the environment variable holding the bearer token.
	TokenEnv string `yaml:"token_env,omitempty" json:"token_env,omitempty"`
}

// Basic reports whether basic auth is configured.
func (a HTTPAuth) Basic() bool { return a.User != "" }

// Token reports whether a bearer token is configured.
func (a HTTPAuth) Token() bool { return a.TokenFile != "" || a.TokenEnv != "" }

// Enabled reports whether any authentication is configured.
func (a HTTPAuth) Enabled() bool { return a.Basic() || a.Token() }

// HTTPTLS is the status server's certificate: PEM files, both or neither.
type HTTPTLS struct {
	Cert string `yaml:"cert,omitempty" json:"cert,omitempty"`
	Key  string `yaml:"key,omitempty" json:"key,omitempty"`
}

// Enabled reports whether the server speaks HTTPS.
func (t HTTPTLS) Enabled() bool { return t.Cert != "" || t.Key != "" }

// Loopback reports whether host (from http.listen) only accepts
// connections from this device: localhost or a loopback IP. An empty
// host listens on every interface.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// httpProblems checks the auth and TLS keys, and that a listener beyond
// loopback has auth.
func (h HTTP) httpProblems() []string {
	var p []string
	a := h.Auth
	switch {
	case a.User != "" && a.PasswordFile == "" && a.PasswordEnv == "":
		p = append(p, "http.auth.user: set http.auth.password_file or http.auth.password_env for its password")
	case a.User == "" && (a.PasswordFile != "" || a.PasswordEnv != ""):
		p = append(p, "http.auth.user: a password is set but no user name")
	}
	if a.PasswordFile != "" && a.PasswordEnv != "" {
		p = append(p, "http.auth.password_file and http.auth.password_env: set one of them")
	}
	if a.TokenFile != "" && a.TokenEnv != "" {
		p = append(p, "http.auth.token_file and http.auth.token_env: set one of them")
	}
	if (h.TLS.Cert == "") != (h.TLS.Key == "") {
		p = append(p, "http.tls: set both cert and key (PEM files), or neither for plain HTTP")
	}
	if !h.Enabled() {
		return p
	}
	if host, _, err := net.SplitHostPort(h.Listen); err == nil && !Loopback(host) && !a.Enabled() {
		p = append(p, fmt.Sprintf("http.listen: %q is reachable from the network, which needs http.auth "+
			"(user with password_file, or token_file; docs/web.md), or listen on 127.0.0.1", h.Listen))
	}
	return p
}
