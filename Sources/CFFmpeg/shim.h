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
#include <libavutil/pixdesc.h>
#include <libavutil/sha.h>
#include <libavutil/log.h>

static inline int ps_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int ps_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t ps_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline uint8_t **ps_frame_data(AVFrame *f) { return f->data; }
static inline int *ps_frame_linesize(AVFrame *f) { return f->linesize; }

/* AVERROR(e) for any errno value (ENOENT, EACCES, ENOSPC, ...). */
static inline int ps_averror(int e) { return AVERROR(e); }
/* AVERROR_INVALIDDATA (FFERRTAG) for a damaged stream. */
static inline int ps_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int ps_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/* True when the pixel format carries alpha (AVPixFmtDescriptor.flags & AV_PIX_FMT_FLAG_ALPHA). */
static inline int ps_pix_fmt_has_alpha(enum AVPixelFormat f) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
    return d != NULL && (d->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
}
/* FF_QP2LAMBDA: MPEG-4 Part 2 takes its fixed quantiser as global_quality = q * FF_QP2LAMBDA. */
static inline int ps_qp2lambda(void) { return FF_QP2LAMBDA; }
#endif
