package web

import "kiosk/kiosk/source"

// adviceKey is a failure's category, narrowed by the source's kind where
// the advice differs (an SRT login is not a shared calendar).
type adviceKey struct {
	cat  source.Category
	kind string // "" for every kind
}

// adviceTexts say, per locale, what a failure means and what to do.
var adviceTexts = map[string]map[adviceKey]string{
	"ko": {
		{source.Offline, ""}:        "네트워크에 연결되어 있지 않습니다. 키오스크의 와이파이나 랜선을 확인하세요",
		{source.DNS, ""}:            "서버 이름을 찾을 수 없습니다. 설정의 주소에 오타가 없는지 확인하세요",
		{source.Refused, ""}:        "서버가 연결을 거부했습니다. 설정의 주소와 포트를 확인하세요. 서버가 꺼져 있을 수도 있습니다",
		{source.Timeout, ""}:        "서버가 제때 응답하지 않았습니다. 나중에 다시 시도합니다",
		{source.TLS, ""}:            "보안 연결(인증서)에 실패했습니다. 키오스크의 시계와 설정의 주소를 확인하세요",
		{source.Auth, ""}:           "접근이 거부되었습니다. 설정의 인증 정보와 캘린더 공유를 확인하세요",
		{source.Auth, "srt"}:        "SRT 로그인이 거부되었습니다. 설정의 아이디, 로그인 방식, 비밀번호를 고친 뒤 다시 시작하세요",
		{source.NotFound, ""}:       "찾을 수 없습니다. 설정의 주소나 파일 경로를 확인하세요",
		{source.RateLimited, ""}:    "요청이 너무 많다고 합니다. 기다렸다가 다시 시도합니다",
		{source.RateLimited, "srt"}: "SR이 이 집의 인터넷 주소를 차단했습니다. 한 시간 이상 기다렸다가 다시 시도합니다",
		{source.Server, ""}:         "상대 서버 쪽에 문제가 있습니다. 나중에 다시 시도합니다",
		{source.BadContent, ""}:     "받은 데이터를 읽을 수 없습니다. 주소가 캘린더나 피드를 가리키는지 확인하세요",
		{source.Other, ""}:          "갱신하지 못했습니다",
	},
	"en": {
		{source.Offline, ""}:        "No network connection. Check the kiosk's Wi-Fi or cable",
		{source.DNS, ""}:            "The server's name was not found. Check the address in the config for typos",
		{source.Refused, ""}:        "The server refused the connection. Check the address and port in the config; the server may also be down",
		{source.Timeout, ""}:        "The server did not answer in time. Trying again later",
		{source.TLS, ""}:            "The secure connection failed (certificate). Check the kiosk's clock and the address in the config",
		{source.Auth, ""}:           "Access denied. Check the credentials in the config and that the calendar is shared",
		{source.Auth, "srt"}:        "SRT refused the login. Fix login_id, login_type or the password in the config and restart the kiosk",
		{source.NotFound, ""}:       "Not found. Check the address or file path in the config",
		{source.RateLimited, ""}:    "Too many requests, the server says. Waiting before trying again",
		{source.RateLimited, "srt"}: "SR blocked this home's internet address. Waiting at least an hour before trying again",
		{source.Server, ""}:         "The server has a problem on its side. Trying again later",
		{source.BadContent, ""}:     "The data received could not be read. Check that the address points to a calendar or feed",
		{source.Other, ""}:          "Could not update",
	},
}

// sourceAdvice turns a failing source's status into words a non-engineer can
// act on, from the category of its failure, keeping the (scrubbed) detail
// after them; "" for a source without an error.
func sourceAdvice(st source.Status, locale string) string {
	if st.Error == "" {
		return ""
	}
	texts, ok := adviceTexts[locale]
	if !ok {
		texts = adviceTexts["ko"]
	}
	text, ok := texts[adviceKey{st.Category, st.Kind}]
	if !ok {
		text, ok = texts[adviceKey{st.Category, ""}]
	}
	if !ok {
		text = texts[adviceKey{source.Other, ""}]
	}
	return text + " (" + st.Error + ")"
}
