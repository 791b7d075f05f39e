/**
 * A program that uses mpage as plain JPMS modules, with no OSGi framework and no OSGi jars: {@code
 * JpmsModulePathIT} compiles and runs it.
 */
module org.mpage.jpmslaunch {
  requires org.mpage.api;

  uses org.mpage.api.block.BlockDeviceProvider;
  uses org.mpage.api.fs.StorageEngineFactory;
  uses org.mpage.api.fs.FileSystemType;
}
