package weather

// Condition is how a WMO weather code is shown: an icon (a file name in
// static/icons/weather without ".svg") and words.
type Condition struct {
	Icon string // its day or night variant is chosen by Icon(isDay)
	Ko   string
	En   string

	night string // the night icon, "" when the same as Icon
}

// Words returns the condition in the locale.
func (c Condition) Words(locale string) string {
	if locale == "en" {
		return c.En
	}
	return c.Ko
}

// IconFor returns the day or night icon.
func (c Condition) IconFor(isDay bool) string {
	if !isDay && c.night != "" {
		return c.night
	}
	return c.Icon
}

// conditions maps the WMO codes Open-Meteo uses (WMO 4677, reduced).
var conditions = map[int]Condition{
	0:  {"clear-day", "맑음", "Clear", "clear-night"},
	1:  {"partly-cloudy-day", "대체로 맑음", "Mainly clear", "partly-cloudy-night"},
	2:  {"cloudy", "구름 많음", "Partly cloudy", ""},
	3:  {"overcast", "흐림", "Overcast", ""},
	45: {"fog", "안개", "Fog", ""},
	48: {"fog", "서리 안개", "Rime fog", ""},
	51: {"drizzle", "약한 이슬비", "Light drizzle", ""},
	53: {"drizzle", "이슬비", "Drizzle", ""},
	55: {"drizzle", "강한 이슬비", "Dense drizzle", ""},
	56: {"sleet", "어는 이슬비", "Freezing drizzle", ""},
	57: {"sleet", "강한 어는 이슬비", "Dense freezing drizzle", ""},
	61: {"rain", "약한 비", "Light rain", ""},
	63: {"rain", "비", "Rain", ""},
	65: {"rain", "강한 비", "Heavy rain", ""},
	66: {"sleet", "어는 비", "Freezing rain", ""},
	67: {"sleet", "강한 어는 비", "Heavy freezing rain", ""},
	71: {"snow", "약한 눈", "Light snow", ""},
	73: {"snow", "눈", "Snow", ""},
	75: {"snow", "강한 눈", "Heavy snow", ""},
	77: {"snow", "싸락눈", "Snow grains", ""},
	80: {"partly-cloudy-day-rain", "약한 소나기", "Light showers", "partly-cloudy-night-rain"},
	81: {"partly-cloudy-day-rain", "소나기", "Showers", "partly-cloudy-night-rain"},
	82: {"partly-cloudy-day-rain", "강한 소나기", "Violent showers", "partly-cloudy-night-rain"},
	85: {"partly-cloudy-day-snow", "약한 소낙눈", "Light snow showers", "partly-cloudy-night-snow"},
	86: {"partly-cloudy-day-snow", "강한 소낙눈", "Heavy snow showers", "partly-cloudy-night-snow"},
	95: {"thunderstorms", "뇌우", "Thunderstorm", ""},
	96: {"hail", "우박을 동반한 뇌우", "Thunderstorm with hail", ""},
	99: {"hail", "강한 우박을 동반한 뇌우", "Thunderstorm with heavy hail", ""},
}

// unknown is shown for a missing or unknown code.
var unknown = Condition{Icon: "not-available", Ko: "정보 없음", En: "Unknown"}

// ConditionOf returns how code is shown; nil or unknown codes get the
// "not available" icon.
func ConditionOf(code *int) Condition {
	if code == nil {
		return unknown
	}
	if c, ok := conditions[*code]; ok {
		return c
	}
	return unknown
}

// Icons lists every icon file the conditions use, for the asset check.
func Icons() []string {
	seen := map[string]bool{unknown.Icon: true}
	out := []string{unknown.Icon}
	for _, c := range conditions {
		for _, n := range []string{c.Icon, c.night} {
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// Wet reports whether code is precipitation: drizzle, rain, snow,
// showers or thunder.
func Wet(code *int) bool { return code != nil && *code >= 51 }

// Snowy reports whether code is snow rather than rain.
func Snowy(code *int) bool {
	return code != nil && (*code >= 71 && *code <= 77 || *code == 85 || *code == 86)
}
