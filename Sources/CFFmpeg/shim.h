#ifndef POSESTUDIO_CFFMPEG_SHIM_H
#define POSESTUDIO_CFFMPEG_SHIM_H
/* FFmpeg 5.1 for MediaIO (its only importer). Error macros and fixed-size C arrays that Swift
   cannot import become ps_* functions. */
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>

static inline int ps_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int ps_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t ps_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline uint8_t **ps_frame_data(AVFrame *f) { return f->data; }
static inline int *ps_frame_linesize(AVFrame *f) { return f->linesize; }
#endif
