// Local Spark's file system for `file:` paths: Hadoop's RawLocalFileSystem, with
// permissions set through java.nio instead of a forked `chmod`.
//
// Without Hadoop's native library (pyspark ships none), RawLocalFileSystem runs
// `chmod` in a child process for every file it creates and every directory it makes.
// A partitioned write of 500 daily event files forked ~1,500 of them and spent most of
// its time there. `glue_etl.spark` compiles this class once into the user cache
// (javac from the JDK that runs Spark) and uses it when it can; Glue writes to S3 and
// never loads it.
//
// `Wrapped` is the same file system behind Hadoop's LocalFileSystem type, for a
// session that writes to S3: S3A's staging committers (see S3ACommitProtocol.java) stage
// each task's files on local disk through `FileSystem.getLocal`, which needs that type.
// It writes no .crc side files either.
package ecom_lakehouse.hadoop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

public class NioLocalFileSystem extends RawLocalFileSystem {
  // Bit i of a POSIX mode (0 = others' execute ... 8 = owner's read).
  private static final PosixFilePermission[] MODE_BITS = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ,
  };

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    short mode = permission.toShort();
    Set<PosixFilePermission> granted = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < MODE_BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        granted.add(MODE_BITS[bit]);
      }
    }
    Files.setPosixFilePermissions(pathToFile(p).toPath(), granted);
  }

  /** This file system wrapped as Hadoop's LocalFileSystem, with no checksums written or read. */
  public static class Wrapped extends LocalFileSystem {
    public Wrapped() {
      super(new NioLocalFileSystem());
      setWriteChecksum(false);
      setVerifyChecksum(false);
    }
  }
}
