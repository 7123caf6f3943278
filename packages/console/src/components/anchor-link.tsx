import { Anchor, type AnchorProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import { forwardRef, type AnchorHTMLAttributes } from 'react';

/** A Mantine Anchor that is a router link: `to` + `params`, typed and encoded segment by segment. */
type AnchorElementProps = AnchorProps & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, keyof AnchorProps>;
export const AnchorLink = createLink(
  forwardRef<HTMLAnchorElement, AnchorElementProps>((props, ref) => (
    <Anchor component="a" ref={ref} {...props} />
  )),
);
