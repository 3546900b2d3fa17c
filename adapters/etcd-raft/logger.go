package main

// etcd raft logs a lot at Info level; over a long run that is most of the process's time
// and all of its stderr. quietLogger keeps stderr for what matters: with -verbose every
// line goes there, and a panic or fatal always becomes a Go panic, which the request loop
// turns into an `error` response with `panic: true` (etcd's default Fatal would os.Exit).

import (
	"fmt"
	"log"
	"os"
)

type quietLogger struct {
	verbose *log.Logger
}

func newLogger(verbose bool) *quietLogger {
	if !verbose {
		return &quietLogger{}
	}
	return &quietLogger{verbose: log.New(os.Stderr, "etcd-raft ", 0)}
}

func (l *quietLogger) out(level string, v []interface{}) {
	if l.verbose != nil {
		l.verbose.Output(3, level+" "+fmt.Sprint(v...))
	}
}

// outf formats only when the line is shown: etcd formats on every step.
func (l *quietLogger) outf(level, format string, v []interface{}) {
	if l.verbose != nil {
		l.verbose.Output(3, level+" "+fmt.Sprintf(format, v...))
	}
}

func (l *quietLogger) Debug(v ...interface{})                   { l.out("DEBUG", v) }
func (l *quietLogger) Debugf(format string, v ...interface{})   { l.outf("DEBUG", format, v) }
func (l *quietLogger) Info(v ...interface{})                    { l.out("INFO", v) }
func (l *quietLogger) Infof(format string, v ...interface{})    { l.outf("INFO", format, v) }
func (l *quietLogger) Warning(v ...interface{})                 { l.out("WARN", v) }
func (l *quietLogger) Warningf(format string, v ...interface{}) { l.outf("WARN", format, v) }
func (l *quietLogger) Error(v ...interface{})                   { l.out("ERROR", v) }
func (l *quietLogger) Errorf(format string, v ...interface{})   { l.outf("ERROR", format, v) }
func (l *quietLogger) Fatal(v ...interface{})                   { panic(fmt.Sprint(v...)) }
func (l *quietLogger) Fatalf(format string, v ...interface{})   { panic(fmt.Sprintf(format, v...)) }
func (l *quietLogger) Panic(v ...interface{})                   { panic(fmt.Sprint(v...)) }
func (l *quietLogger) Panicf(format string, v ...interface{})   { panic(fmt.Sprintf(format, v...)) }
