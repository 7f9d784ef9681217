// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0
// Palisade node sensor: kernel side. CO-RE programs (vmlinux.h is generated from the running
// kernel's BTF by build.rs) that write fixed-layout records to one ring buffer. The record
// layout is `struct pal_event` below; crates/palisade-sensor/src/decode.rs reads it, field by
// field at the offsets written there. Keep both in step.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PAL_EXEC 1
#define PAL_EXIT 2
#define PAL_OPEN 3
#define PAL_CONNECT 4
#define PAL_PTRACE 5
#define PAL_MODULE 6
#define PAL_SETUID 7
#define PAL_UNLINK 8
#define PAL_RENAME 9
#define PAL_CHMOD 10
#define PAL_MOUNT 11
#define PAL_UMOUNT 12
#define PAL_NAMESPACE 13
#define PAL_BPF 14
#define PAL_CAPSET 15
#define PAL_SETGID 16
#define PAL_ACCEPT 17
#define PAL_MEMFD 18
#define PAL_KINDS 19

#define CG_NAME 128
#define PATH_LEN 256
#define ARGS_LEN 512
#define CWD_PARTS 8
#define CWD_PART 32

// Exec flags (a1 of an exec record).
#define EXE_UPPER_LAYER 1 // the executable is in an overlayfs upper (writable) layer
#define EXE_FROM_MEMFD 2  // the executable is a memfd or a deleted shmem file (fileless)

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6

struct pal_event {
	u32 kind;          // 0
	u32 tgid;          // 4
	u32 pid;           // 8
	u32 ppid;          // 12
	u32 uid;           // 16
	u32 gid;           // 20
	u64 ts_ns;         // 24
	u64 cgroup_id;     // 32
	char comm[16];     // 40
	char pcomm[16];    // 56
	char cg[3][CG_NAME]; // 72: leaf, parent, grandparent cgroup names (memory hierarchy)
	// 456: per kind
	s64 a0;            // 456: exec: args length; exit: code; open: flags; connect/accept:
	                   //      family; ptrace: request; module: syscall nr; setuid/setgid: new
	                   //      id; unlink: flags; chmod: mode; mount/umount: flags;
	                   //      namespace: CLONE_NEW* flags; bpf: command; capset: effective
	                   //      caps; memfd: flags
	s64 a1;            // 464: connect/accept: remote port; ptrace: target pid; module/open:
	                   //      mode; exec: EXE_* flags; capset: permitted caps; other kinds:
	                   //      syscall nr
	u8 addr[16];       // 472: connect/accept: remote address (4 bytes IPv4 or 16 bytes IPv6)
	char path[PATH_LEN]; // 488: exec: filename; open/unlink/chmod: path; rename: old path;
	                   //      mount/umount: target; memfd: name; connect (AF_UNIX): socket path
	char args[ARGS_LEN]; // 744: exec: argv, NUL-separated; rename: new path (first 256 bytes);
	                   //      mount: source (first 256 bytes), fstype (last 256 bytes)
	char cwd[CWD_PARTS][CWD_PART]; // 1256: directory names, innermost first: exec: working
	                   //      directory; open/unlink/rename/chmod with a relative path: the
	                   //      working directory; fchmod: the file itself
	s64 a2;            // 1512: exec: inode number of the executable; accept: local port;
	                   //      namespace: setns fd
	s64 a3;            // 1520: accept: syscall nr
	u8 addr2[16];      // 1528: accept: local address
	u32 tty;           // 1544: controlling terminal as /proc/<pid>/stat's tty_nr (0: none)
	u32 loginuid;      // 1548: audit login uid (4294967295: unset)
	u64 cap_effective; // 1552: the thread's effective capabilities
	u64 cap_permitted; // 1560: the thread's permitted capabilities
};                     // 1568
_Static_assert(sizeof(struct pal_event) == 1568, "pal_event layout");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

// Ring buffer reserve failures, per event kind.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PAL_KINDS);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

// Per-CPU room to look at a path before deciding to report it.
struct scratch {
	char buf[PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct kernfs_node___old {
	struct kernfs_node *parent;
	const char *name;
};

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

// User space reads the ring every few milliseconds instead of being woken for each record
// (a wakeup per record cost the sensor more CPU than the records themselves); a burst that
// fills the ring past this many bytes wakes it at once.
#define WAKEUP_BYTES (1024 * 1024)

static __always_inline void submit_event(void *e)
{
	u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, queued > WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline void count_drop(u32 kind)
{
	u64 *n = bpf_map_lookup_elem(&drops, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
}

// The controlling terminal encoded as /proc/<pid>/stat's tty_nr (new_encode_dev of the tty's
// device number), 0 without one: what Falco's proc.tty and `ps` show.
static __always_inline u32 task_tty_nr(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (!tty)
		return 0;
	u32 major = BPF_CORE_READ(tty, driver, major);
	u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline struct pal_event *reserve(u32 kind)
{
	struct pal_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(kind);
		return NULL;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 uid_gid = bpf_get_current_uid_gid();
	e->kind = kind;
	e->tgid = pid_tgid >> 32;
	e->pid = (u32)pid_tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	bpf_probe_read_kernel_str(e->pcomm, sizeof(e->pcomm), parent->comm);

	struct cgroup *cg = NULL;
	int memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (memory >= 0 && memory < 12)
		cg = BPF_CORE_READ(task, cgroups, subsys[memory], cgroup);
	if (!cg)
		cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct kernfs_node *kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	for (int i = 0; i < 3; i++) {
		e->cg[i][0] = 0;
		if (!kn)
			continue;
		const char *name = BPF_CORE_READ(kn, name);
		bpf_probe_read_kernel_str(e->cg[i], CG_NAME, name);
		kn = kn_parent(kn);
	}
	e->a0 = 0;
	e->a1 = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	e->path[0] = 0;
	e->args[0] = 0;
	e->args[PATH_LEN] = 0;
	for (int i = 0; i < CWD_PARTS; i++)
		e->cwd[i][0] = 0;
	e->a2 = 0;
	e->a3 = 0;
	__builtin_memset(e->addr2, 0, sizeof(e->addr2));
	e->tty = task_tty_nr(task);
	e->loginuid = (u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		e->loginuid = BPF_CORE_READ(task, loginuid.val);
	const struct cred *cred = BPF_CORE_READ(task, cred);
	e->cap_effective = 0;
	e->cap_permitted = 0;
	// kernel_cap_t is one u64 since 6.3 and two u32 before: eight bytes either way.
	bpf_probe_read_kernel(&e->cap_effective, 8, &cred->cap_effective);
	bpf_probe_read_kernel(&e->cap_permitted, 8, &cred->cap_permitted);
	return e;
}


// Directory names from `d` up to the root of its mount, innermost first, into e->cwd. A path
// below a mount point shows only the part inside that mount.
static __always_inline void walk_dentry(struct pal_event *e, struct dentry *d)
{
	for (int i = 0; i < CWD_PARTS; i++) {
		e->cwd[i][0] = 0;
		if (!d)
			continue;
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) {
			d = NULL;
			continue;
		}
		bpf_probe_read_kernel_str(e->cwd[i], CWD_PART, BPF_CORE_READ(d, d_name.name));
		d = parent;
	}
}

static __always_inline struct dentry *task_cwd(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, fs, pwd.dentry);
}

// The parts of overlayfs's inode we read. A local CO-RE flavor: libbpf matches it against
// `struct ovl_inode` in the kernel's BTF (vmlinux, or the overlay module's BTF when overlayfs
// is a module), so vmlinux.h need not have it.
struct ovl_inode___pal {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

// Where the executable lives: overlayfs upper layer (written after the container started)
// and/or a memfd / deleted shmem file.
static __always_inline void exe_origin(struct pal_event *e, struct linux_binprm *bprm)
{
	struct inode *ino = BPF_CORE_READ(bprm, file, f_inode);
	if (!ino)
		return;
	e->a2 = BPF_CORE_READ(ino, i_ino);
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
	s64 flags = 0;
	if (magic == OVERLAYFS_SUPER_MAGIC) {
		if (bpf_core_type_exists(struct ovl_inode___pal)) {
			// The overlay inode embeds the VFS inode; its upper dentry is set once the
			// file exists in the upper (container's writable) layer.
			struct ovl_inode___pal *oi = (struct ovl_inode___pal *)((char *)ino -
				bpf_core_field_offset(struct ovl_inode___pal, vfs_inode));
			struct dentry *upper = BPF_CORE_READ(oi, __upperdentry);
			if (upper)
				flags |= EXE_UPPER_LAYER;
		}
	} else if (magic == TMPFS_MAGIC || magic == HUGETLBFS_MAGIC) {
		// memfd_create files are unlinked shmem inodes from the start.
		if (BPF_CORE_READ(ino, __i_nlink) == 0)
			flags |= EXE_FROM_MEMFD;
	}
	e->a1 = flags;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pal_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pal_event *e = reserve(PAL_EXEC);
	if (!e)
		return 0;
	const char *filename = BPF_CORE_READ(bprm, filename);
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), filename);
	walk_dentry(e, BPF_CORE_READ(p, fs, pwd.dentry));
	exe_origin(e, bprm);
	unsigned long start = BPF_CORE_READ(p, mm, arg_start);
	unsigned long end = BPF_CORE_READ(p, mm, arg_end);
	unsigned long len = end - start;
	if (len > ARGS_LEN)
		len = ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)start) == 0)
		e->a0 = len;
	submit_event(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pal_exit, struct task_struct *p)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((u32)pid_tgid != (pid_tgid >> 32))
		return 0; // threads other than the leader
	struct pal_event *e = reserve(PAL_EXIT);
	if (!e)
		return 0;
	e->a0 = BPF_CORE_READ(p, exit_code) >> 8;
	submit_event(e);
	return 0;
}

static __always_inline int starts(const char *p, const char *pre)
{
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (pre[i] == 0)
			return 1;
		if (p[i] != pre[i])
			return 0;
	}
	return 1;
}

// Opens below these prefixes (or with a write flag anywhere below /etc, /bin, /usr...) are
// reported; the rest are not worth the ring buffer space. `p` is an absolute path, or the
// working directory's top directory followed by a relative path ("/etc/" + "shadow").
static __always_inline int interesting_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	// /etc/ld.so.cache is opened by every dynamically linked exec.
	if (starts(p, "/etc/ld.so.c"))
		return 0;
	// /var/lib/kubelet: the kubelet's kubeconfig and certificates (pki/). `p` holds at most
	// 15 characters of an absolute path (its first 16 bytes, NUL included), hence "kubele".
	return starts(p, "/etc/") || starts(p, "/root/") || starts(p, "/var/run") ||
	       starts(p, "/run/") || starts(p, "/proc/sys") || starts(p, "/sys/fs") ||
	       starts(p, "/boot/") || starts(p, "/dev/mem") || starts(p, "/var/lib/kubele");
}

// Whether the NUL-terminated string of length `n` in a scratch buffer ends with
// "authorized_keys" (or "authorized_keys2"): SSH keys of users below /home.
static __always_inline int is_authorized_keys(const char *buf, long n)
{
	if (n >= PATH_LEN)
		return 0;
	if (n > 0 && buf[(n - 1) & (PATH_LEN - 1)] == '2')
		n--;
	if (n < 15)
		return 0;
	const char s[] = "authorized_keys";
#pragma unroll
	for (int i = 0; i < 15; i++) {
		if (buf[(n - 15 + i) & (PATH_LEN - 1)] != s[i])
			return 0;
	}
	return 1;
}

// System directories where writes, deletes and renames are reported.
static __always_inline int interesting_write(const char *p)
{
	if (p[0] != '/')
		return 0;
	return starts(p, "/bin/") || starts(p, "/sbin/") || starts(p, "/usr/") || starts(p, "/lib");
}

static __always_inline int system_dir(const char *p)
{
	return interesting_write(p) || starts(p, "/etc/") || starts(p, "/boot/") ||
	       starts(p, "/root/") || starts(p, "/var/log/");
}

// Whether the NUL-terminated string of length `n` in a scratch buffer ends with
// "history" after '_' or '.' (.bash_history, .zsh_history, .history).
static __always_inline int is_history(const char *buf, long n)
{
	if (n < 8 || n >= PATH_LEN)
		return 0;
	const char s[] = "history";
#pragma unroll
	for (int i = 0; i < 7; i++) {
		if (buf[(n - 7 + i) & (PATH_LEN - 1)] != s[i])
			return 0;
	}
	char c = buf[(n - 8) & (PATH_LEN - 1)];
	return c == '_' || c == '.';
}

static __always_inline int ends_with_sock(const char *buf, long n)
{
	if (n < 5 || n >= PATH_LEN)
		return 0;
	return buf[(n - 5) & (PATH_LEN - 1)] == '.' && buf[(n - 4) & (PATH_LEN - 1)] == 's' &&
	       buf[(n - 3) & (PATH_LEN - 1)] == 'o' && buf[(n - 2) & (PATH_LEN - 1)] == 'c' &&
	       buf[(n - 1) & (PATH_LEN - 1)] == 'k';
}

// The top directory of `d` within its mount ("etc" for /etc/ssh): 1 when found, 0 when `d`
// is the root, -1 when it is deeper than we walk.
static __always_inline int dir_top(struct dentry *d, char top[16])
{
	struct dentry *last = NULL;
	for (int i = 0; i < 16; i++) {
		if (!d)
			return -1;
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) {
			if (!last)
				return 0;
			bpf_probe_read_kernel_str(top, 16, BPF_CORE_READ(last, d_name.name));
			return 1;
		}
		last = d;
		d = parent;
	}
	return -1;
}

// The first bytes of a path as an absolute prefix into `out` (24 bytes): the path itself when
// absolute; for a relative one, "/" + the top directory of `base` (the directory it is
// relative to) + "/" + the path (or "/" + the path when `base` is the root). Returns -1 when
// the path cannot be read or placed, 1 for a relative path, 0 for an absolute one.
static __always_inline int abs_prefix(const char *upath, char out[24], struct dentry *base)
{
	char head[16] = {};
	if (bpf_probe_read_user_str(head, sizeof(head), upath) <= 0)
		return -1;
	if (head[0] == '/') {
#pragma unroll
		for (int i = 0; i < 16; i++)
			out[i] = head[i];
		return 0;
	}
	char top[16] = {};
	int t = dir_top(base, top);
	if (t < 0)
		return -1;
	out[0] = '/';
	int n = 1;
	if (t == 1) {
#pragma unroll
		for (int i = 0; i < 8; i++) {
			if (top[i] == 0)
				break;
			out[n++] = top[i];
		}
		if (top[8] != 0)
			return -1; // longer than any watched directory name
		out[n++] = '/';
	}
#pragma unroll
	for (int i = 0; i < 12; i++) {
		if (n + i < 23)
			out[n + i] = head[i];
	}
	out[23] = 0;
	return 1;
}

// The open file behind descriptor `fd` of the current task.
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	if (fd < 0 || fd >= max || !fds)
		return NULL;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#define AT_FDCWD -100

// The directory a relative path given with descriptor `dfd` is relative to.
static __always_inline struct dentry *base_dir(long dfd)
{
	if ((int)dfd == AT_FDCWD)
		return task_cwd();
	struct file *f = fd_file((int)dfd);
	return f ? BPF_CORE_READ(f, f_path.dentry) : NULL;
}

static __always_inline int on_open(long dfd, const char *upath, long flags, long mode)
{
	char buf[24] = {};
	struct dentry *base = base_dir(dfd);
	int rel = abs_prefix(upath, buf, base);
	if (rel < 0)
		return 0;
	int write = (flags & 3) != 0 || (flags & 0100) != 0; // O_WRONLY/O_RDWR, O_CREAT
	int trunc = (flags & 01000) != 0;                       // O_TRUNC
	int report = interesting_path(buf) || (write && interesting_write(buf)) ||
		     (trunc && starts(buf, "/var/log/"));
	int home = starts(buf, "/home/");
	if (!report && (trunc || home)) {
		// Truncated shell history files anywhere; users' authorized_keys below /home.
		u32 zero = 0;
		struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
		if (!s)
			return 0;
		long n = bpf_probe_read_user_str(s->buf, sizeof(s->buf), upath);
		report = (trunc && is_history(s->buf, n - 1)) ||
			 (home && is_authorized_keys(s->buf, n - 1));
	}
	if (!report)
		return 0;
	struct pal_event *e = reserve(PAL_OPEN);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (rel)
		walk_dentry(e, base);
	e->a0 = flags;
	e->a1 = mode;
	submit_event(e);
	return 0;
}

// Whether a path given to unlink/rename is worth reporting (system directories, history
// files). Sets *rel for a relative path.
static __always_inline int interesting_change(const char *upath, int *rel, struct dentry *base)
{
	char buf[24] = {};
	int r = abs_prefix(upath, buf, base);
	if (r < 0)
		return 0;
	*rel = r;
	if (system_dir(buf))
		return 1;
	u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	long n = bpf_probe_read_user_str(s->buf, sizeof(s->buf), upath);
	return is_history(s->buf, n - 1);
}

static __always_inline int on_unlink(long dfd, const char *upath, long flags, long nr)
{
	int rel = 0;
	struct dentry *base = base_dir(dfd);
	if (!interesting_change(upath, &rel, base))
		return 0;
	struct pal_event *e = reserve(PAL_UNLINK);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (rel)
		walk_dentry(e, base);
	e->a0 = flags;
	e->a1 = nr;
	submit_event(e);
	return 0;
}

// The record has room for one base directory: the old path's when it is relative, else the
// new path's.
static __always_inline int on_rename(long olddfd, const char *from, long newdfd, const char *to,
				     long nr)
{
	int rel_from = 0, rel_to = 0;
	struct dentry *from_base = base_dir(olddfd);
	struct dentry *to_base = base_dir(newdfd);
	int a = interesting_change(from, &rel_from, from_base);
	int b = interesting_change(to, &rel_to, to_base);
	if (!a && !b)
		return 0;
	struct pal_event *e = reserve(PAL_RENAME);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->path, PATH_LEN, from);
	bpf_probe_read_user_str(e->args, PATH_LEN, to);
	if (rel_from)
		walk_dentry(e, from_base);
	else if (rel_to)
		walk_dentry(e, to_base);
	e->a1 = nr;
	submit_event(e);
	return 0;
}

static __always_inline int on_chmod(long dfd, const char *upath, long mode, long nr)
{
	if (!(mode & 0111))
		return 0; // only modes with an execute bit
	char buf[24] = {};
	struct dentry *base = base_dir(dfd);
	int rel = abs_prefix(upath, buf, base);
	if (rel < 0)
		return 0;
	struct pal_event *e = reserve(PAL_CHMOD);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (rel)
		walk_dentry(e, base);
	e->a0 = mode;
	e->a1 = nr;
	submit_event(e);
	return 0;
}

static __always_inline int on_fchmod(long fd, long mode, long nr)
{
	if (!(mode & 0111))
		return 0;
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	struct pal_event *e = reserve(PAL_CHMOD);
	if (!e)
		return 0;
	// No path: the file's own dentries (decode joins them).
	walk_dentry(e, BPF_CORE_READ(f, f_path.dentry));
	e->a0 = mode;
	e->a1 = nr;
	submit_event(e);
	return 0;
}

// Namespace flags of clone/unshare.
#define CLONE_NEW_MASK (0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | \
			0x10000000 | 0x20000000 | 0x40000000)

static __always_inline int on_namespace(long flags, long nr, long fd)
{
	struct pal_event *e = reserve(PAL_NAMESPACE);
	if (!e)
		return 0;
	e->a0 = flags;
	e->a1 = nr;
	e->a2 = fd;
	submit_event(e);
	return 0;
}

static __always_inline int simple(u32 kind, s64 a0, s64 a1)
{
	struct pal_event *e = reserve(kind);
	if (!e)
		return 0;
	e->a0 = a0;
	e->a1 = a1;
	submit_event(e);
	return 0;
}

// x86-64 system call numbers.
#define NR_open 2
#define NR_accept 43
#define NR_connect 42
#define NR_clone 56
#define NR_rename 82
#define NR_rmdir 84
#define NR_creat 85
#define NR_unlink 87
#define NR_chmod 90
#define NR_fchmod 91
#define NR_ptrace 101
#define NR_setuid 105
#define NR_setgid 106
#define NR_setreuid 113
#define NR_setregid 114
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_capset 126
#define NR_mount 165
#define NR_umount2 166
#define NR_init_module 175
#define NR_openat 257
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_fchmodat 268
#define NR_unshare 272
#define NR_accept4 288
#define NR_setns 308
#define NR_finit_module 313
#define NR_renameat2 316
#define NR_memfd_create 319
#define NR_bpf 321
#define NR_clone3 435
#define NR_openat2 437
#define NR_fchmodat2 452

SEC("tp_btf/sys_enter")
int BPF_PROG(pal_sys_enter, struct pt_regs *regs, long id)
{
	// Direct (BTF pointer) loads, no helper calls: this runs for every system call.
	unsigned long di = regs->di;
	unsigned long si = regs->si;
	unsigned long dx = regs->dx;
	struct pal_event *e;
	switch (id) {
	case NR_open:
		return on_open(AT_FDCWD, (const char *)di, si, dx);
	case NR_creat:
		return on_open(AT_FDCWD, (const char *)di, 01101, si);
	case NR_openat:
		return on_open(di, (const char *)si, dx, regs->r10);
	case NR_openat2: {
		u64 flags = 0, mode = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)dx);
		bpf_probe_read_user(&mode, sizeof(mode), (void *)(dx + 8));
		return on_open(di, (const char *)si, flags, mode);
	}
	case NR_connect: {
		u16 family = 0;
		if (bpf_probe_read_user(&family, sizeof(family), (void *)si))
			return 0;
		if (family == 1) { // AF_UNIX: runtime sockets (*.sock) only
			u32 zero = 0;
			struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
			if (!s)
				return 0;
			long n = bpf_probe_read_user_str(s->buf, 108, (void *)(si + 2));
			if (!ends_with_sock(s->buf, n - 1))
				return 0;
			e = reserve(PAL_CONNECT);
			if (!e)
				return 0;
			bpf_probe_read_user_str(e->path, 108, (void *)(si + 2));
			e->a0 = family;
			submit_event(e);
			return 0;
		}
		if (family != 2 && family != 10) // AF_INET, AF_INET6
			return 0;
		e = reserve(PAL_CONNECT);
		if (!e)
			return 0;
		u16 port = 0;
		bpf_probe_read_user(&port, sizeof(port), (void *)(si + 2));
		e->a0 = family;
		e->a1 = __builtin_bswap16(port);
		if (family == 2)
			bpf_probe_read_user(e->addr, 4, (void *)(si + 4));
		else
			bpf_probe_read_user(e->addr, 16, (void *)(si + 8));
		submit_event(e);
		return 0;
	}
	case NR_ptrace:
		return simple(PAL_PTRACE, di, si);
	case NR_init_module:
	case NR_finit_module:
		return simple(PAL_MODULE, id, 0);
	case NR_setuid:
	case NR_setreuid:
	case NR_setresuid:
		// setuid(uid), setreuid(ruid, euid), setresuid(ruid, euid, suid): the effective one.
		return simple(PAL_SETUID, id == NR_setuid ? (s64)(int)di : (s64)(int)si, id);
	case NR_setgid:
	case NR_setregid:
	case NR_setresgid:
		return simple(PAL_SETGID, id == NR_setgid ? (s64)(int)di : (s64)(int)si, id);
	case NR_unlink:
	case NR_rmdir:
		return on_unlink(AT_FDCWD, (const char *)di, 0, id);
	case NR_unlinkat:
		return on_unlink(di, (const char *)si, dx, id);
	case NR_rename:
		return on_rename(AT_FDCWD, (const char *)di, AT_FDCWD, (const char *)si, id);
	case NR_renameat:
	case NR_renameat2:
		return on_rename(di, (const char *)si, dx, (const char *)regs->r10, id);
	case NR_chmod:
		return on_chmod(AT_FDCWD, (const char *)di, si, id);
	case NR_fchmodat:
	case NR_fchmodat2:
		return on_chmod(di, (const char *)si, dx, id);
	case NR_fchmod:
		return on_fchmod(di, si, id);
	case NR_mount:
		e = reserve(PAL_MOUNT);
		if (!e)
			return 0;
		bpf_probe_read_user_str(e->path, PATH_LEN, (void *)si);
		bpf_probe_read_user_str(e->args, PATH_LEN, (void *)di);
		bpf_probe_read_user_str(e->args + PATH_LEN, PATH_LEN, (void *)dx);
		e->a0 = regs->r10;
		e->a1 = id;
		submit_event(e);
		return 0;
	case NR_umount2:
		e = reserve(PAL_UMOUNT);
		if (!e)
			return 0;
		bpf_probe_read_user_str(e->path, PATH_LEN, (void *)di);
		e->a0 = si;
		e->a1 = id;
		submit_event(e);
		return 0;
	case NR_setns:
		return on_namespace(si, id, di);
	case NR_unshare:
		if (!(di & CLONE_NEW_MASK))
			return 0;
		return on_namespace(di, id, 0);
	case NR_clone:
		if (!(di & CLONE_NEW_MASK))
			return 0;
		return on_namespace(di, id, 0);
	case NR_clone3: {
		u64 flags = 0;
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)di))
			return 0;
		if (!(flags & CLONE_NEW_MASK))
			return 0;
		return on_namespace(flags, id, 0);
	}
	case NR_bpf:
		// Loading and attaching programs, creating maps, pinning; not the map reads and
		// updates every BPF user does all the time.
		switch (di) {
		case 0:  // BPF_MAP_CREATE
		case 5:  // BPF_PROG_LOAD
		case 6:  // BPF_OBJ_PIN
		case 8:  // BPF_PROG_ATTACH
		case 17: // BPF_RAW_TRACEPOINT_OPEN
		case 18: // BPF_BTF_LOAD
		case 28: // BPF_LINK_CREATE
			return simple(PAL_BPF, di, id);
		}
		return 0;
	case NR_capset: {
		// struct __user_cap_data_struct { u32 effective, permitted, inheritable; }[2]
		u32 data[6] = {};
		bpf_probe_read_user(data, sizeof(data), (void *)si);
		return simple(PAL_CAPSET, (s64)((u64)data[0] | ((u64)data[3] << 32)),
			      (s64)((u64)data[1] | ((u64)data[4] << 32)));
	}
	case NR_memfd_create:
		e = reserve(PAL_MEMFD);
		if (!e)
			return 0;
		bpf_probe_read_user_str(e->path, PATH_LEN, (void *)di);
		e->a0 = si;
		e->a1 = id;
		submit_event(e);
		return 0;
	}
	return 0;
}

// accept/accept4 on the way out: the new connection's peer and local end, read from the
// socket behind the returned descriptor (works when the caller passed no address buffer).
// (A return probe or fexit on inet_csk_accept would not run for every system call, but
// kprobes are not available everywhere and its signature changed in 6.10.)
SEC("tp_btf/sys_exit")
int BPF_PROG(pal_sys_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax; // direct load: this runs for every system call
	if ((id != NR_accept && id != NR_accept4) || ret < 0)
		return 0;
	struct file *f = fd_file(ret);
	if (!f)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return 0;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != 2 && family != 10)
		return 0;
	struct pal_event *e = reserve(PAL_ACCEPT);
	if (!e)
		return 0;
	e->a0 = family;
	e->a1 = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->a2 = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->a3 = id;
	if (family == 2) {
		u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__builtin_memcpy(e->addr, &d, 4);
		__builtin_memcpy(e->addr2, &l, 4);
	} else {
		BPF_CORE_READ_INTO(&e->addr, sk, __sk_common.skc_v6_daddr);
		BPF_CORE_READ_INTO(&e->addr2, sk, __sk_common.skc_v6_rcv_saddr);
	}
	submit_event(e);
	return 0;
}
