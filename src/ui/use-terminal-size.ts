import { useStdout } from 'ink';
import { useCallback, useEffect, useState } from 'react';

/**
 * The terminal's size in columns and rows, following resizes; fixed sizes given by the caller
 * win (tests, and screens that must not follow the terminal). 80x24 when the stream has none.
 */
export function useTerminalSize(width?: number, height?: number): { width: number; height: number } {
  const { stdout } = useStdout();
  const read = useCallback(() => ({ width: width ?? stdout.columns ?? 80, height: height ?? stdout.rows ?? 24 }), [stdout, width, height]);
  const [size, setSize] = useState(read);
  useEffect(() => {
    setSize(read());
    if (width !== undefined && height !== undefined) return;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, read, width, height]);
  return size;
}
