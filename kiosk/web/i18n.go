package web

import (
	"fmt"
	"strings"
	"time"
)

// texts are the page's words in one locale.
type texts struct {
	locale                                   string
	Today, Tomorrow, AllDay, Trains, Notices string
	NoEvents, NoTrains, More, Demo, Offline  string
	Standby, PayBy, StaleSince, NotSynced    string
	Passengers, CarSeat                      string
	NotSaved, NotSavedHint                   string
	CalendarFailed, NoEventsLoaded, Failed   string
	InProgress, PastEvents, NthDay           string
	minutes, hours, days, later              string
	weekdays                                 [7]string
	months                                   [12]string
}

var locales = map[string]texts{
	"ko": {
		locale: "ko", Today: "오늘", Tomorrow: "내일", AllDay: "종일", Trains: "기차", Notices: "알림판",
		NoEvents: "일정 없음", NoTrains: "예약된 열차 없음", More: "+%d개 더", Demo: "데모",
		Offline: "오프라인", Standby: "예약대기", PayBy: "결제기한", StaleSince: "%s 이후 갱신 안 됨",
		NotSynced: "시계 동기화 전", Passengers: "%d명", CarSeat: "%s호차 %s",
		NotSaved:       "저장 안 됨",
		NotSavedHint:   "데이터 폴더에 쓸 수 없어 메모리에만 보관 중입니다. 다시 시작하면 이미 본 알림이 다시 나올 수 있습니다 (상태 페이지 참고)",
		CalendarFailed: "%s 캘린더: 불러오지 못함 (설정 확인)", NoEventsLoaded: "불러온 일정 없음", Failed: "불러오지 못함",
		InProgress: "진행 중", PastEvents: "지난 일정 %d개", NthDay: "%d/%d일째",
		minutes: "%d분 후", hours: "%d시간 %d분 후", days: "%d일 후", later: "%d시간 후",
		weekdays: [7]string{"일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"},
	},
	"en": {
		locale: "en", Today: "Today", Tomorrow: "Tomorrow", AllDay: "All day", Trains: "Trains", Notices: "Notices",
		NoEvents: "No events", NoTrains: "No train reservations", More: "+%d more", Demo: "demo",
		Offline: "offline", Standby: "Standby", PayBy: "Pay by", StaleSince: "stale since %s",
		NotSynced: "clock not synced", Passengers: "%d pax", CarSeat: "car %s seat %s",
		NotSaved:       "not saved",
		NotSavedHint:   "The data dir cannot be written: data is kept in memory only, so after a restart reminders already shown may come back (see the status page)",
		CalendarFailed: "%s calendar: could not load (check the settings)", NoEventsLoaded: "No events loaded", Failed: "could not load",
		InProgress: "now", PastEvents: "%d earlier today", NthDay: "day %d of %d",
		minutes: "in %d min", hours: "in %d h %d min", days: "in %d days", later: "in %d h",
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
}

// date is the long date under the clock: "2026년 11월 22일 일요일".
func (t texts) date(d time.Time) string {
	if t.locale == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일 %s", d.Year(), d.Month(), d.Day(), t.weekdays[d.Weekday()])
	}
	return fmt.Sprintf("%s, %s %d, %d", t.weekdays[d.Weekday()], t.months[d.Month()-1], d.Day(), d.Year())
}

// shortDate is "11월 22일" or "Nov 22".
func (t texts) shortDate(d time.Time) string {
	if t.locale == "ko" {
		return fmt.Sprintf("%d월 %d일", d.Month(), d.Day())
	}
	return fmt.Sprintf("%s %d", t.months[d.Month()-1][:3], d.Day())
}

// shortDateTime is "11/22 (일) 10:00" or "Sun Nov 22 10:00".
func (t texts) shortDateTime(d time.Time) string {
	if t.locale == "ko" {
		wd := []rune(t.weekdays[d.Weekday()])
		return fmt.Sprintf("%d/%d (%s) %s", d.Month(), d.Day(), string(wd[0]), d.Format("15:04"))
	}
	return fmt.Sprintf("%s %s %d %s", t.weekdays[d.Weekday()][:3], t.months[d.Month()-1][:3], d.Day(), d.Format("15:04"))
}

// slashDate is "12/6" in both locales.
func (t texts) slashDate(d time.Time) string { return fmt.Sprintf("%d/%d", d.Month(), d.Day()) }

// slashDateTime is "12/4 20:38".
func (t texts) slashDateTime(d time.Time) string { return t.slashDate(d) + " " + d.Format("15:04") }

// relative says how far ahead a start is: "35분 후", "2시간 5분 후",
// "3일 후"; kiosk.js says the same each minute (rel in kiosk.js).
func (t texts) relative(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute) // a start 30 s away is "in 1 min"
	switch {
	case m < 60:
		return fmt.Sprintf(t.minutes, m)
	case m < 24*60 && m%60 == 0:
		return fmt.Sprintf(t.later, m/60)
	case m < 24*60:
		return fmt.Sprintf(t.hours, m/60, m%60)
	}
	return fmt.Sprintf(t.days, m/(24*60))
}

// RelFormats are relative's formats for kiosk.js: minutes, whole hours,
// hours and minutes, days.
func (t texts) RelFormats() string {
	return t.minutes + "|" + t.later + "|" + t.hours + "|" + t.days
}

// DayWords are "today" and "tomorrow" for the pop-ups of kiosk.js.
func (t texts) DayWords() string { return t.Today + "|" + t.Tomorrow }

// dayTitle names the n-th day from today.
func (t texts) dayTitle(n int, d time.Time) string {
	switch n {
	case 0:
		return t.Today
	case 1:
		return t.Tomorrow
	}
	return t.weekdays[d.Weekday()]
}

// statusTexts are the status page's words in one locale.
type statusTexts struct {
	Title, AllGood, SourceFailing, OK, Waiting, Failing, Stale                      string
	ClockSynced, ClockNotSynced, ClockUnknown, ScreenOn, ScreenOff, Jump, JumpBack  string
	UnderVoltage, UnderVoltageSeen, Throttled                                       string
	Sources, Jobs, System, Screen, Admin, Time, Uptime, Clock, Memory, Store, Disk  string
	Temp, Power, Reminders, Notifications, None, LastRun, NextRun, Updated, NextTry string
	Token, SaveToken, Message, Send, RefreshAll, ClearAll, Version                  string
	Phones, PushBlocked, PushRetrying, PushHeld, PushWaiting, PushLastSent          string
	JobFailed, UnsafeFile, Recovered, AdminOff                                      string
	DataDirReadOnly, DataDirReadOnlyFix, DataDirFull, DataDirFullFix                string
	// Answers to the admin actions, by HTTP status; the page's script shows them.
	Done, Wrong401, Off403, Busy429, Bad400, Failed, Unreachable string
	// Words for the job and source-kind names, by name; a name not here
	// is shown as it is.
	JobNames, Kinds map[string]string
	// SourceNames are words for the names of the kiosk's own sources
	// (photos, weather); names from the config are shown as they are.
	SourceNames map[string]string
	// Units: days, hours, minutes, seconds.
	units [4]string
}

// word is names[key], or key itself when there is no word for it.
func (t statusTexts) word(names map[string]string, key string) string {
	if w, ok := names[key]; ok {
		return w
	}
	return key
}

// duration is d in its two largest units: "3일 4시간", "3 d 4 h", "12 min".
func (t statusTexts) duration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	parts := []int64{int64(d / (24 * time.Hour)), int64(d / time.Hour % 24), int64(d / time.Minute % 60), int64(d / time.Second % 60)}
	var out []string
	for i, n := range parts {
		if n == 0 && len(out) == 0 {
			continue
		}
		if len(out) == 2 {
			break
		}
		if n != 0 {
			out = append(out, fmt.Sprintf("%d%s", n, t.units[i]))
		} else {
			out = append(out, "")
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("0%s", t.units[3])
	}
	return sign + strings.TrimSpace(strings.Join(out, " "))
}

// bytesText is a size for people: "32.1 MB", "75.8 GB"; "—" when unknown.
func bytesText(n *int64) string {
	switch {
	case n == nil:
		return "—"
	case *n >= 1e12:
		return fmt.Sprintf("%.1f TB", float64(*n)/1e12)
	case *n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(*n)/1e9)
	}
	return fmt.Sprintf("%.1f MB", float64(*n)/1e6)
}

var statusLocales = map[string]statusTexts{
	"ko": {
		Title: "키오스크 상태", AllGood: "모두 정상입니다", SourceFailing: "%s: 갱신 실패", OK: "정상", Waiting: "대기 중",
		Failing: "실패", Stale: "실패 (이전 데이터 표시 중)",
		ClockSynced: "동기화됨", ClockNotSynced: "시계가 아직 동기화되지 않았습니다", ClockUnknown: "알 수 없음",
		ScreenOn: "켜짐", ScreenOff: "꺼짐 (야간 모드)", Jump: "%s에 시계가 %s 앞으로 이동했습니다", JumpBack: "%s에 시계가 %s 뒤로 이동했습니다",
		UnderVoltage: "전압 부족: 더 좋은 전원 어댑터가 필요합니다", UnderVoltageSeen: "부팅 후 전압 부족이 있었습니다",
		Throttled: "과열 또는 속도 제한 중",
		Sources:   "데이터 출처", Jobs: "작업", System: "시스템", Screen: "화면", Admin: "관리", Time: "서버 시각",
		Uptime: "가동 시간", Clock: "시계", Memory: "메모리", Store: "저장소", Disk: "남은 디스크", Temp: "CPU 온도",
		Power: "전원", Reminders: "마지막 알림 검사 구간", Notifications: "표시 중인 알림", None: "없음",
		LastRun: "마지막 실행", NextRun: "다음 실행", Updated: "마지막 성공", NextTry: "다음 시도",
		Token: "관리자 토큰", SaveToken: "저장", Message: "화면에 보낼 메시지", Send: "보내기",
		RefreshAll: "지금 모두 갱신", ClearAll: "알림 모두 지우기", Version: "버전",
		Phones: "휴대폰 알림", PushBlocked: "차단됨: 보내지 않음", PushRetrying: "다시 시도 중", PushHeld: "아침까지 보류",
		PushWaiting: "대기", PushLastSent: "마지막 전송",
		JobFailed: "실패", UnsafeFile: "비밀 정보가 든 파일을 모든 사용자가 읽을 수 있습니다. 권한을 고치세요:",
		Recovered:       "저장소를 열 수 없어 다른 곳으로 옮기고 데이터를 다시 받고 있습니다:",
		AdminOff:        "관리 기능이 꺼져 있습니다. 메시지를 보내려면 설정 파일에 다음 줄을 넣고 다시 시작하세요:",
		DataDirReadOnly: "데이터 폴더에 쓸 수 없어 메모리에만 보관 중입니다. 다시 시작하면 사라집니다",
		DataDirReadOnlyFix: "고치려면 폴더 주인을 키오스크를 실행하는 사용자로 바꾸거나, " +
			"기본 서비스 파일처럼 systemd의 상태 폴더 설정으로 실행하세요:",
		DataDirFull:    "디스크가 가득 차서 데이터를 메모리에만 보관 중입니다. 다시 시작하면 사라집니다",
		DataDirFullFix: "디스크 공간을 비운 뒤 다시 시작하세요. 데이터 폴더와 로그 정리 명령:",
		Done:           "완료", Wrong401: "관리자 토큰이 틀렸습니다", Off403: "관리 기능이 꺼져 있습니다",
		Busy429: "잘못된 토큰이 너무 많습니다. 1분 뒤에 다시 시도하세요", Bad400: "메시지가 비었거나 너무 깁니다",
		Failed: "실패했습니다", Unreachable: "키오스크에 연결할 수 없습니다",
		JobNames: map[string]string{"reminders": "알림 검사", "calendars": "캘린더 갱신", "trains": "기차 갱신",
			"notices": "공지 갱신", "photos": "사진 찾기", "trouble": "휴대폰 경고 검사", "weather": "날씨 갱신"},
		Kinds: map[string]string{"google": "구글 캘린더", "ics": "ICS 캘린더", "srt": "SRT 예약", "notices": "공지",
			"photos": "사진", "demo": "데모", "weather": "일기 예보", "air": "대기질"},
		SourceNames: map[string]string{"photos": "사진", "weather": "날씨", "air": "미세먼지"},
		units:       [4]string{"일", "시간", "분", "초"},
	},
	"en": {
		Title: "Kiosk status", AllGood: "Everything is fine", SourceFailing: "%s is not updating", OK: "ok", Waiting: "waiting",
		Failing: "failing", Stale: "failing (showing older data)",
		ClockSynced: "synced", ClockNotSynced: "The clock is not synced yet", ClockUnknown: "unknown",
		ScreenOn: "on", ScreenOff: "off (night mode)", Jump: "the clock jumped forward by %[2]s at %[1]s", JumpBack: "the clock jumped back by %[2]s at %[1]s",
		UnderVoltage: "Under-voltage: the Pi needs a better power supply", UnderVoltageSeen: "under-voltage happened since boot",
		Throttled: "hot or slowed down",
		Sources:   "Sources", Jobs: "Jobs", System: "System", Screen: "Screen", Admin: "Admin", Time: "Server time",
		Uptime: "Uptime", Clock: "Clock", Memory: "Memory", Store: "Store", Disk: "Free disk", Temp: "CPU temperature",
		Power: "Power", Reminders: "Last reminder window", Notifications: "Notifications on screen", None: "none",
		LastRun: "last run", NextRun: "next run", Updated: "last success", NextTry: "next try",
		Token: "Admin token", SaveToken: "Save", Message: "Message to the screen", Send: "Send",
		RefreshAll: "Refresh everything now", ClearAll: "Clear notifications", Version: "Version",
		Phones: "Phones", PushBlocked: "blocked: nothing is sent", PushRetrying: "retrying", PushHeld: "held for the morning",
		PushWaiting: "waiting", PushLastSent: "last sent",
		JobFailed: "failed", UnsafeFile: "A file holding a secret is readable by every user. Fix its mode:",
		Recovered:       "The store could not be opened; it was moved aside and the data is being fetched again:",
		AdminOff:        "Admin actions are off. To send messages from here, add this line to the config and restart:",
		DataDirReadOnly: "The data dir cannot be written: data is kept in memory only and lost at restart",
		DataDirReadOnlyFix: "Fix: give the folder to the user the kiosk runs as, " +
			"or run it as a systemd service with a state directory, as the shipped unit does:",
		DataDirFull:    "The disk is full: data is kept in memory only and lost at restart",
		DataDirFullFix: "Free some space, then restart. The data dir, and a command that trims the logs:",
		Done:           "Done", Wrong401: "Wrong admin token", Off403: "Admin actions are off",
		Busy429: "Too many wrong tokens; try again in a minute", Bad400: "The message is empty or too long",
		Failed: "Failed", Unreachable: "Cannot reach the kiosk",
		units: [4]string{" d", " h", " min", " s"},
	},
}
