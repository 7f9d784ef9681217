// Load generator for bench/sensor-load.sh: EXECS execs/s of PROGRAM (posix_spawn + wait) and
// CONNECTS TCP connects/s to 127.0.0.1:PORT (a closed port: each connect is refused at once),
// paced in 10 ms slices, for SECS seconds, split over WORKERS processes (default 1). Prints what
// it achieved. Built static, run inside a container so the sensor sees container activity.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: loadgen EXECS CONNECTS SECS PROGRAM PORT [WORKERS]\n");
		return 2;
	}
	int workers = argc > 6 ? atoi(argv[6]) : 1;
	if (workers < 1)
		workers = 1;
	double execs = atof(argv[1]) / workers, conns = atof(argv[2]) / workers;
	double secs = atof(argv[3]);
	int leader = 1;
	for (int w = 1; w < workers && leader; w++) {
		if (fork() == 0)
			leader = 0;
	}
	char *prog = argv[4];
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[5]))};
	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	char *child_argv[] = {prog, NULL};
	long done_e = 0, done_c = 0;
	double start = now(), end = start + secs;
	for (double slice = start; slice < end; slice += 0.01) {
		double t = slice + 0.01 - start;
		// Catch up to where the rates say we should be by the end of this slice.
		while (done_e < execs * t && now() < end) {
			pid_t pid;
			if (posix_spawn(&pid, prog, NULL, NULL, child_argv, environ) == 0) {
				waitpid(pid, NULL, 0);
				done_e++;
			}
		}
		while (done_c < conns * t && now() < end) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			if (s >= 0) {
				connect(s, (struct sockaddr *)&addr, sizeof addr);
				close(s);
				done_c++;
			}
		}
		double wait = slice + 0.01 - now();
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
	}
	double took = now() - start;
	fprintf(stderr, "load: %ld execs (%.0f/s), %ld connects (%.0f/s) in %.2f s\n", done_e,
		done_e / took, done_c, done_c / took, took);
	return 0;
}
