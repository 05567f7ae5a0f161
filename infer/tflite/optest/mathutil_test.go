package optest

import "math"

func roundHalfAway(x float64) float64 { return math.Round(x) }

func floor(x float64) float64 { return math.Floor(x) }
