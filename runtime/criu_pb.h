/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * criu_pb.h - just enough of protobuf's wire format to talk to `criu swrk`:
 * writing varint, bool, int32, string and nested-message fields, and
 * walking the fields of a received message. CRIU's RPC uses a handful of
 * fields (criu/images/rpc.proto); encoding them here costs less than a
 * protobuf library and generated code in every ctr binary.
 *
 * The writer grows its buffer with the x-allocators (abort on OOM); the
 * reader never reads past the message and reports a malformed one.
 */
#ifndef CTR_CRIU_PB_H
#define CTR_CRIU_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb_buf {
	uint8_t *data;
	size_t len, cap;
};

void pb_buf_free(struct pb_buf *b);
void pb_put_varint(struct pb_buf *b, unsigned field, uint64_t v);
void pb_put_bool(struct pb_buf *b, unsigned field, bool v);
/* int32 as protobuf encodes it: a negative value takes ten bytes. */
void pb_put_int32(struct pb_buf *b, unsigned field, int32_t v);
void pb_put_bytes(struct pb_buf *b, unsigned field, const void *data, size_t len);
void pb_put_string(struct pb_buf *b, unsigned field, const char *s);
/* A nested message: its encoded bytes as a length-delimited field. */
void pb_put_msg(struct pb_buf *b, unsigned field, const struct pb_buf *msg);

enum pb_wire { PB_VARINT = 0, PB_FIXED64 = 1, PB_LEN = 2, PB_FIXED32 = 5 };

struct pb_field {
	unsigned num;
	enum pb_wire wire;
	uint64_t varint;     /* PB_VARINT (and the fixed kinds, as integers) */
	const uint8_t *data; /* PB_LEN: payload inside the message */
	size_t len;
};

struct pb_reader {
	const uint8_t *p, *end;
};

static inline struct pb_reader pb_reader_init(const void *data, size_t len)
{
	return (struct pb_reader){.p = data, .end = (const uint8_t *)data + len};
}

/* The next field: 1 when one was read, 0 at the end, -EBADMSG when the
 * message is truncated or uses a wire type protobuf no longer has. */
int pb_next(struct pb_reader *r, struct pb_field *f);

/* A PB_LEN field's payload as a NUL-terminated copy (malloc'd). */
char *pb_strdup(const struct pb_field *f);

#endif
