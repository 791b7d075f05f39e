package org.mpage.device.nbd;

import org.mpage.api.block.BlockStatus;

/**
 * The numbers of the NBD protocol (the NetworkBlockDevice project's {@code doc/proto.md}) that this
 * client uses: the fixed newstyle handshake, its options and replies, and the transmission phase's
 * requests and simple replies. Everything on the wire is big-endian.
 */
final class Nbd {
  private Nbd() {}

  // ---- handshake ----

  /** "NBDMAGIC": the server's first eight bytes. */
  static final long INIT_MAGIC = 0x4e42444d41474943L;

  /** "IHAVEOPT": newstyle negotiation follows; also the prefix of every option the client sends. */
  static final long OPTS_MAGIC = 0x49484156454f5054L;

  /** What an oldstyle server sends instead of {@link #OPTS_MAGIC}. */
  static final long OLDSTYLE_MAGIC = 0x00420281861253L;

  /** Prefix of every option reply. */
  static final long REP_MAGIC = 0x3e889045565a9L;

  /** Handshake flags (server) and client flags. */
  static final int FLAG_FIXED_NEWSTYLE = 1;

  static final int FLAG_NO_ZEROES = 1 << 1;

  static final int OPT_EXPORT_NAME = 1;
  static final int OPT_ABORT = 2;
  static final int OPT_GO = 7;
  static final int OPT_STRUCTURED_REPLY = 8;

  static final int REP_ACK = 1;
  static final int REP_INFO = 3;

  /** Error replies have the top bit set. */
  static final int REP_FLAG_ERROR = 1 << 31;

  static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
  static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
  static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
  static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
  static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
  static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
  static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
  static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
  static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;

  static final int INFO_EXPORT = 0;
  static final int INFO_BLOCK_SIZE = 3;

  // ---- transmission ----

  static final int REQUEST_MAGIC = 0x25609513;
  static final int SIMPLE_REPLY_MAGIC = 0x67446698;
  static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

  /** Structured reply chunk header: magic, flags, type, handle, length. */
  static final int STRUCTURED_HEADER = 20;

  static final int REPLY_FLAG_DONE = 1;
  static final int REPLY_TYPE_NONE = 0;
  static final int REPLY_TYPE_OFFSET_DATA = 1;
  static final int REPLY_TYPE_OFFSET_HOLE = 2;

  /** Error chunk types have bit 15 set. */
  static final int REPLY_TYPE_ERROR_BIT = 1 << 15;

  /** Request header: magic, flags, type, handle, offset, length. */
  static final int REQUEST_HEADER = 28;

  /** Simple reply header: magic, error, handle. */
  static final int REPLY_HEADER = 16;

  static final int CMD_READ = 0;
  static final int CMD_WRITE = 1;
  static final int CMD_DISC = 2;
  static final int CMD_FLUSH = 3;
  static final int CMD_TRIM = 4;
  static final int CMD_WRITE_ZEROES = 6;

  static final int CMD_FLAG_FUA = 1;

  /** Transmission flags of an export. */
  static final int TF_HAS_FLAGS = 1;

  static final int TF_READ_ONLY = 1 << 1;
  static final int TF_SEND_FLUSH = 1 << 2;
  static final int TF_SEND_FUA = 1 << 3;
  static final int TF_SEND_TRIM = 1 << 5;
  static final int TF_SEND_WRITE_ZEROES = 1 << 6;

  /** Largest payload when the server names none: what the protocol lets every server accept. */
  static final int DEFAULT_MAX_PAYLOAD = 32 << 20;

  /** The name of an option reply type, for messages. */
  static String replyName(int type) {
    return switch (type) {
      case REP_ERR_UNSUP -> "unsupported option";
      case REP_ERR_POLICY -> "refused by the server's policy";
      case REP_ERR_INVALID -> "invalid request";
      case REP_ERR_PLATFORM -> "not supported on the server's platform";
      case REP_ERR_TLS_REQD -> "the server requires TLS, which this client does not speak";
      case REP_ERR_UNKNOWN -> "no such export";
      case REP_ERR_SHUTDOWN -> "the server is shutting down";
      case REP_ERR_BLOCK_SIZE_REQD -> "the server requires block size negotiation";
      case REP_ERR_TOO_BIG -> "request too big";
      default -> "error reply 0x" + Integer.toHexString(type);
    };
  }

  /** The name of a transmission error (an errno value on the wire), for log lines. */
  static String errorName(int error) {
    return switch (error) {
      case 1 -> "EPERM";
      case 5 -> "EIO";
      case 12 -> "ENOMEM";
      case 22 -> "EINVAL";
      case 28 -> "ENOSPC";
      case 75 -> "EOVERFLOW";
      case 95 -> "ENOTSUP";
      case 108 -> "ESHUTDOWN";
      default -> "error " + error;
    };
  }

  /** What the block layer sees of a server's error: no space, not supported, or an I/O error. */
  static BlockStatus status(int error) {
    return switch (error) {
      case 28 -> BlockStatus.NOSPC;
      case 95 -> BlockStatus.NOTSUPP;
      default -> BlockStatus.IOERR;
    };
  }

  static String commandName(int type) {
    return switch (type) {
      case CMD_READ -> "read";
      case CMD_WRITE -> "write";
      case CMD_FLUSH -> "flush";
      case CMD_TRIM -> "trim";
      case CMD_WRITE_ZEROES -> "write-zeroes";
      default -> "command " + type;
    };
  }
}
