//go:build !js

package turn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLog routes pion's log into the relay's slog logger. pion logs some
// things per packet (a datagram from a peer without permission at Info, a
// failed send at Error): those are a peer's doing, not the relay's, so
// everything below Warn goes to Debug and Error to Warn.
type pionLog struct {
	log *slog.Logger
}

func (p pionLog) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{p.log.With("scope", "pion/"+scope)}
}

type pionLogger struct {
	log *slog.Logger
}

func (l pionLogger) out(level slog.Level, msg string) {
	l.log.Log(context.Background(), level, msg)
}

func (l pionLogger) outf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.out(level, fmt.Sprintf(format, args...))
	}
}

func (l pionLogger) Trace(msg string)                  { l.out(slog.LevelDebug-4, msg) }
func (l pionLogger) Tracef(format string, args ...any) { l.outf(slog.LevelDebug-4, format, args...) }
func (l pionLogger) Debug(msg string)                  { l.out(slog.LevelDebug, msg) }
func (l pionLogger) Debugf(format string, args ...any) { l.outf(slog.LevelDebug, format, args...) }
func (l pionLogger) Info(msg string)                   { l.out(slog.LevelDebug, msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.outf(slog.LevelDebug, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.out(slog.LevelWarn, msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.outf(slog.LevelWarn, format, args...) }
func (l pionLogger) Error(msg string)                  { l.out(slog.LevelWarn, msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.outf(slog.LevelWarn, format, args...) }
