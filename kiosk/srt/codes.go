package srt

import (
	"regexp"
	"strings"
	"time"
)

// kst is Korea Standard Time. Korea has kept UTC+9 without daylight saving
// since 1988, so a fixed zone is exact and needs no zoneinfo on the Pi. SR's
// dates and times are in it whatever zone the kiosk is configured for.
var kst = time.FixedZone("KST", 9*60*60)

// stationName is the station's name as SRT writes it, or the code itself
// when it is unknown (a new station must not hide the reservation).
func stationName(code string) string {
	switch code = padDigits(code, 4); code {
	case "0551":
		return "수서"
	case "0552":
		return "동탄"
	case "0553":
		return "평택지제"
	case "0502":
		return "천안아산"
	case "0297":
		return "오송"
	case "0010":
		return "대전"
	case "0507":
		return "김천(구미)"
	case "0015":
		return "동대구"
	case "0506":
		return "서대구"
	case "0508":
		return "경주" // 신경주 until 2025-01
	case "0509":
		return "울산(통도사)"
	case "0020":
		return "부산"
	case "0514":
		return "공주"
	case "0030":
		return "익산"
	case "0033":
		return "정읍"
	case "0036":
		return "광주송정"
	case "0037":
		return "나주"
	case "0041":
		return "목포"
	case "0045":
		return "전주"
	case "0048":
		return "남원"
	case "0049":
		return "곡성"
	case "0050":
		return "구례구"
	case "0051":
		return "순천"
	case "0139":
		return "여천"
	case "0053":
		return "여수EXPO"
	case "0063":
		return "진주"
	case "0059":
		return "마산"
	case "0512":
		return "창원중앙"
	case "0057":
		return "창원"
	case "0056":
		return "진영"
	case "0017":
		return "밀양"
	case "0515":
		return "포항"
	}
	return code
}

// trainName names a train class (stlbTrnClsfCd); unknown codes are shown as
// they are. The list is an SRT one, so a missing code means SRT.
func trainName(code string) string {
	switch code = padDigits(code, 2); code {
	case "17", "":
		return "SRT"
	case "00":
		return "KTX"
	case "02":
		return "무궁화"
	case "03":
		return "통근열차"
	case "04":
		return "누리로"
	case "07", "10":
		return "KTX-산천"
	case "08":
		return "ITX-새마을"
	case "09":
		return "ITX-청춘"
	case "18":
		return "ITX-마음"
	}
	return code
}

// seatClassName names psrmClCd.
func seatClassName(code string) string {
	switch strings.TrimLeft(code, "0") {
	case "1":
		return "일반실"
	case "2":
		return "특실"
	}
	return code
}

// padDigits restores the leading zeros a code loses when SR sends it as a
// JSON number ("551" → "0551"); other text is returned trimmed.
func padDigits(s string, n int) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) >= n || strings.Trim(s, "0123456789") != "" {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// Login types (config trains.srt.login_type).
const (
	LoginAuto       = "auto"
	LoginMembership = "membership"
	LoginEmail      = "email"
	LoginPhone      = "phone"
)

var (
	emailPattern = regexp.MustCompile(`^[^@]+@[^@]+\.[^@]+`)
	phonePattern = regexp.MustCompile(`^\d{3}-\d{3,4}-\d{4}`)
	barePhone    = regexp.MustCompile(`^01[016789]\d{8}$`)
)

// loginFields returns the srchDvCd and srchDvNm login fields: 1 membership
// number, 2 e-mail, 3 phone (sent without hyphens). Auto detection follows
// the app, and also takes a phone number typed without hyphens as a phone:
// SR refuses it as a membership number ("no such member"), and membership
// numbers are 10 digits that do not start with 01.
func loginFields(id, typ string) (code, name string) {
	id = strings.TrimSpace(id)
	phone := func() (string, string) {
		return "3", strings.NewReplacer("-", "", " ", "").Replace(id)
	}
	switch typ {
	case LoginMembership:
		return "1", id
	case LoginEmail:
		return "2", id
	case LoginPhone:
		return phone()
	}
	switch {
	case emailPattern.MatchString(id):
		return "2", id
	case phonePattern.MatchString(id), barePhone.MatchString(id):
		return phone()
	}
	return "1", id
}
