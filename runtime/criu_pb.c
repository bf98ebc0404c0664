/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_pb.c - protobuf wire format, the part CRIU's RPC needs. */
#include <errno.h>
#include <string.h>

#include "criu_pb.h"
#include "util.h"

void pb_buf_free(struct pb_buf *b)
{
	free(b->data);
	*b = (struct pb_buf){0};
}

static void reserve(struct pb_buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	b->cap = b->cap ? b->cap * 2 : 128;
	while (b->cap < b->len + more)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

static void put_raw_varint(struct pb_buf *b, uint64_t v)
{
	reserve(b, 10);
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		b->data[b->len++] = byte | (v ? 0x80 : 0);
	} while (v);
}

static void put_key(struct pb_buf *b, unsigned field, enum pb_wire wire)
{
	put_raw_varint(b, ((uint64_t)field << 3) | wire);
}

void pb_put_varint(struct pb_buf *b, unsigned field, uint64_t v)
{
	put_key(b, field, PB_VARINT);
	put_raw_varint(b, v);
}

void pb_put_bool(struct pb_buf *b, unsigned field, bool v)
{
	pb_put_varint(b, field, v ? 1 : 0);
}

void pb_put_int32(struct pb_buf *b, unsigned field, int32_t v)
{
	/* Sign-extended to 64 bits, as every protobuf implementation reads it. */
	pb_put_varint(b, field, (uint64_t)(int64_t)v);
}

void pb_put_bytes(struct pb_buf *b, unsigned field, const void *data, size_t len)
{
	put_key(b, field, PB_LEN);
	put_raw_varint(b, len);
	reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void pb_put_string(struct pb_buf *b, unsigned field, const char *s)
{
	pb_put_bytes(b, field, s, strlen(s));
}

void pb_put_msg(struct pb_buf *b, unsigned field, const struct pb_buf *msg)
{
	pb_put_bytes(b, field, msg->data, msg->len);
}

static int read_varint(struct pb_reader *r, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			return -EBADMSG;
		uint8_t byte = *r->p++;
		*v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return 0;
	}
	return -EBADMSG;
}

static int read_fixed(struct pb_reader *r, size_t n, uint64_t *v)
{
	if ((size_t)(r->end - r->p) < n)
		return -EBADMSG;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return 0;
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t key, len;

	if (r->p >= r->end)
		return 0;
	if (read_varint(r, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		return -EBADMSG;
	*f = (struct pb_field){.num = (unsigned)(key >> 3), .wire = key & 7};
	switch (f->wire) {
	case PB_VARINT: return read_varint(r, &f->varint) < 0 ? -EBADMSG : 1;
	case PB_FIXED64: return read_fixed(r, 8, &f->varint) < 0 ? -EBADMSG : 1;
	case PB_FIXED32: return read_fixed(r, 4, &f->varint) < 0 ? -EBADMSG : 1;
	case PB_LEN:
		if (read_varint(r, &len) < 0 || len > (uint64_t)(r->end - r->p))
			return -EBADMSG;
		f->data = r->p;
		f->len = (size_t)len;
		r->p += len;
		return 1;
	}
	return -EBADMSG; /* groups (3, 4) and the unused wire types */
}

char *pb_strdup(const struct pb_field *f)
{
	if (f->wire != PB_LEN || !f->data)
		return xstrdup("");
	return xstrndup((const char *)f->data, f->len);
}
