import sprite from 'bootstrap-italia/dist/svg/sprites.svg?url';

/** An icon of Bootstrap Italia's sprite, served from our own origin. Decorative unless it has a title. */
export function Icon({
  name,
  className = '',
  title,
  size,
}: {
  name: string;
  className?: string;
  title?: string;
  size?: 'xs' | 'sm' | 'lg';
}) {
  return (
    <svg
      className={`icon${size ? ` icon-${size}` : ''} ${className}`.trim()}
      aria-hidden={title ? undefined : true}
      role={title ? 'img' : undefined}
      focusable="false"
    >
      {title && <title>{title}</title>}
      <use href={`${sprite}#${name}`} />
    </svg>
  );
}
